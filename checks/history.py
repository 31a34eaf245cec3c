"""Posture as of any moment, rebuilt from the append-only event log."""

from django.db.models import F, OuterRef, Subquery

from checks.models import Finding, FindingEvent
from checks.retention import BeyondRetention, ensure_reconstructable, oldest_reconstructable  # noqa: F401 - the window


def findings_as_of(at, findings=None):
    """Findings that existed at `at`, annotated with their status, reason and status_since then."""
    findings = Finding.objects.all() if findings is None else findings
    latest = FindingEvent.objects.filter(finding=OuterRef("pk"), at__lte=at).order_by("-at", "-id")
    return (findings.filter(first_seen__lte=at)
            .annotate(status_then=Subquery(latest.values("new_status")[:1]),
                      reason_then=Subquery(latest.values("reason")[:1]),
                      since_then=Subquery(latest.values("at")[:1]),
                      scan_then=Subquery(latest.values("scan_id")[:1]))
            .exclude(status_then__isnull=True).exclude(status_then=""))


def current_findings(findings=None):
    """Today's findings with the same annotations as findings_as_of, so exports treat both alike."""
    findings = Finding.objects.all() if findings is None else findings
    return findings.current().annotate(status_then=F("status"), reason_then=F("reason"),
                                       since_then=F("status_since"), scan_then=F("last_scan_id"))


def changes_between(start, end, findings=None):
    """Events in (start, end]: what started failing, was fixed, appeared or went away."""
    events = FindingEvent.objects.filter(at__gt=start, at__lte=end)
    if findings is not None:
        events = events.filter(finding__in=findings)
    return events.select_related("finding", "finding__resource", "account").order_by("account", "at")
