"""Read models for the overview and account pages: latest scores, deltas, trends, open failures."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import TruncDate

from accounts.models import AwsAccount
from checks.catalog.base import Area, Severity
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan

AREAS = list(Area)
# Column headings for the score grid: short enough that seven areas fit a laptop screen.
SHORT_LABELS = {
    Area.AT_REST: "At rest",
    Area.KEYS: "Keys",
    Area.IN_TRANSIT: "In transit",
    Area.ACCESS: "Public",
    Area.LOGGING: "Logging",
    Area.IDENTITY: "Identity",
    Area.HYGIENE: "Hygiene",
}


def latest_scores(account_ids, at=None):
    """{account_id: {area: AreaScore}} from each account's latest scored scan at or before `at`.

    A scan scores every area at once, so these are the rows of one scan per account, found by one
    probe of the (account, at) index per account — not by a subquery for each of a year's score rows.
    """
    latest = AreaScore.objects.filter(account=OuterRef("pk"))
    if at is not None:
        latest = latest.filter(at__lte=at)
    scans = (
        AwsAccount.objects.filter(pk__in=account_ids)
        .annotate(latest_scan=Subquery(latest.order_by("-at", "-scan_id").values("scan_id")[:1]))
        .values("latest_scan")
    )
    rows = AreaScore.objects.filter(scan__in=scans)
    scores = defaultdict(dict)
    for row in rows:
        scores[row.account_id][row.area] = row
    return scores


def score_series(account_ids, since):
    """{account_id: {area: [(at, score), ...]}} for trend charts and sparklines."""
    series = defaultdict(lambda: defaultdict(list))
    rows = (
        AreaScore.objects.filter(account__in=account_ids, at__gte=since)
        .order_by("at")
        .values_list("account_id", "area", "at", "score")
    )
    for account_id, area, at, score in rows:
        series[account_id][area].append((at, score))
    return series


def overall(values):
    known = [value for value in values if value is not None]
    return round(sum(known) / len(known), 1) if known else None


def daily_overall(account_ids, days, now):
    """{account_id: [overall score per day]} for sparklines: each day's last scan, carried forward.

    The database averages each scan's areas (a scan scores every area at once), so this reads one
    row per scan rather than one per area and scan.
    """
    start = (now - timedelta(days=days - 1)).date()
    rows = (
        AreaScore.objects.filter(account__in=account_ids, at__gte=now - timedelta(days=days))
        .values("account_id", "scan_id", "at")
        .annotate(day=TruncDate("at"), overall=Avg("score"))
        .order_by("at")
        .values_list("account_id", "day", "overall")
    )
    by_day = defaultdict(dict)
    for account_id, day, value in rows:
        by_day[account_id][day] = None if value is None else round(value, 1)
    return defaultdict(
        lambda: [None] * days,
        {account_id: carried_forward(points, start, days) for account_id, points in by_day.items()},
    )


def carried_forward(points, start, days):
    values, last = [], None
    for offset in range(days):
        last = points.get(start + timedelta(days=offset), last)
        values.append(last)
    return values


def open_failures(account_ids, now):
    """{account_id: {"critical": n, "high": n}} of current, unmuted failing findings."""
    rows = (
        Finding.objects.failing()
        .unmuted(now)
        .filter(account__in=account_ids, severity__in=[Severity.CRITICAL, Severity.HIGH])
        .values_list("account_id", "severity")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts = defaultdict(lambda: {"critical": 0, "high": 0})
    for account_id, severity, count in rows:
        counts[account_id][severity] = count
    return counts


def last_scans(accounts):
    """Annotate accounts with their latest scan's id, status and time (one query)."""
    latest = Scan.objects.filter(account=OuterRef("pk")).order_by("-queued_at", "-id")
    return accounts.annotate(
        last_scan_id=Subquery(latest.values("id")[:1]),
        last_scan_status=Subquery(latest.values("status")[:1]),
        last_scan_at=Subquery(latest.values("queued_at")[:1]),
    )


def key_ownership(resources):
    """[(resource type, {key_owner: count})] for encrypted-or-not resources that exist now."""
    rows = (
        resources.filter(gone_at__isnull=True)
        .exclude(key_owner="")
        .values_list("type", "key_owner")
        .annotate(count=Count("id"))
        .order_by("type")
    )
    table = defaultdict(dict)
    for type_, owner, count in rows:
        table[type_][owner] = count
    return sorted(table.items())


def failing_checks(account):
    return (
        Finding.objects.failing()
        .filter(account=account)
        .values("check_id", "severity")
        .annotate(count=Count("id"))
        .order_by("severity", "-count", "check_id")
    )


def recent_changes(account, limit=25):
    return (
        FindingEvent.objects.filter(account=account)
        .select_related("finding", "finding__resource")
        .order_by("-at", "-id")[:limit]
    )


def change_kind(event):
    """newly failing, fixed, regressed, gone, new … in words a security lead uses."""
    old, new = event.old_status, event.new_status
    if not new:
        return "gone"
    if not old:
        return "new failing" if new == "FAIL" else "new"
    if new == "FAIL":
        return "regressed" if old == "PASS" else "failing"
    if old == "FAIL" and new == "PASS":
        return "fixed"
    return "changed"


def resources_of(account):
    return Resource.objects.filter(account=account)
