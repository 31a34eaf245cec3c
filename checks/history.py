"""Posture as of any moment, rebuilt from the append-only event log."""

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery

from checks.models import Finding, FindingEvent
from checks.retention import BeyondRetention, ensure_reconstructable, oldest_reconstructable  # noqa: F401 - the window


def findings_as_of(at, findings=None, join_latest=False):
    """Findings that existed at `at`, annotated with their status, reason and status_since then.

    Either way each finding's latest event at or before `at` is found by index. By default each
    annotation is its own correlated subquery (a plan that suits any query). With join_latest the event
    is joined once by its id, so the row reads its fields as columns — one lookup per finding instead
    of one per mention: much faster for a query limited to one account (an export reads account by
    account), but a query over many accounts can get a poor plan, as the join's size is misestimated."""
    findings = Finding.objects.all() if findings is None else findings
    latest = FindingEvent.objects.filter(finding=OuterRef("pk"), at__lte=at).order_by("-at", "-id")
    findings = findings.filter(first_seen__lte=at)
    if join_latest:
        event = FilteredRelation("events", condition=Q(events__id=Subquery(latest.values("id")[:1])))
        findings = findings.annotate(event_then=event).annotate(
            status_then=F("event_then__new_status"),
            reason_then=F("event_then__reason"),
            since_then=F("event_then__at"),
            scan_then=F("event_then__scan_id"),
        )
    else:
        findings = findings.annotate(
            status_then=Subquery(latest.values("new_status")[:1]),
            reason_then=Subquery(latest.values("reason")[:1]),
            since_then=Subquery(latest.values("at")[:1]),
            scan_then=Subquery(latest.values("scan_id")[:1]),
        )
    # One comparison drops both "no event yet" (NULL) and "" (each mention of a subquery runs it again).
    return findings.filter(status_then__gt="")


def current_findings(findings=None):
    """Today's findings with the same annotations as findings_as_of, so exports treat both alike."""
    findings = Finding.objects.all() if findings is None else findings
    return as_they_stand(findings.current())


def as_they_stand(findings):
    """`findings` (current or closed) annotated as findings_as_of does, from their own columns."""
    return findings.annotate(
        status_then=F("status"), reason_then=F("reason"), since_then=F("status_since"), scan_then=F("last_scan_id")
    )
