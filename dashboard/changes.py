"""Net change between two moments: what started failing, was fixed, appeared or went away."""

from collections import defaultdict

from django.db.models import OuterRef, Subquery

from checks.models import Finding, FindingEvent

KINDS = ("newly failing", "fixed", "appeared", "disappeared")
LIMIT = 500


def status_at(moment):
    latest = FindingEvent.objects.filter(finding=OuterRef("pk"), at__lte=moment).order_by("-at", "-id")
    return Subquery(latest.values("new_status")[:1])


def kind_of(before, after):
    before, after = before or "", after or ""
    if before == after:
        return None
    if not before:
        return "appeared"
    if not after:
        return "disappeared"
    if after == "FAIL":
        return "newly failing"
    if before == "FAIL" and after == "PASS":
        return "fixed"
    return None


def net_changes(start, end, accounts=None):
    """{kind: {account: [finding, ...]}} plus totals per kind, from the event log."""
    touched = FindingEvent.objects.filter(at__gt=start, at__lte=end)
    if accounts is not None:
        touched = touched.filter(account__in=accounts)
    findings = (Finding.objects.filter(pk__in=touched.values("finding_id"))
                .annotate(before=status_at(start), after=status_at(end))
                .select_related("account", "resource").order_by("account__name", "check_id", "pk"))
    grouped = {kind: defaultdict(list) for kind in KINDS}
    totals = dict.fromkeys(KINDS, 0)
    for finding in findings[:LIMIT * 4]:
        kind = kind_of(finding.before, finding.after)
        if kind is None:
            continue
        totals[kind] += 1
        grouped[kind][finding.account].append(finding)
    return {kind: dict(accounts) for kind, accounts in grouped.items()}, totals
