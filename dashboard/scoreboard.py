"""Read models for the overview and account pages: latest scores, deltas, trends, open failures."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Avg, Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import TruncDate

from accounts.models import AwsAccount
from checks.catalog.base import Area, KeyOwner, Severity
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


SCORE_FIELDS = ("account_id", "scan_id", "area", "at", "passed", "failed", "errors", "score")


def latest_scores(account_ids, at=None, fields=SCORE_FIELDS):
    """{account_id: {area: score row}} from each account's latest scored scan at or before `at`; a row
    has AreaScore's `fields` (all of SCORE_FIELDS unless fewer are asked for) as attributes.

    A scan scores every area at once, so these are the rows of one scan per account, found by one
    probe of the (account, at) index per account — not by a subquery for each of a year's score rows.
    Named tuples, not model instances: a page of 50 accounts reads 700 rows, and building them as
    models cost several milliseconds a page.
    """
    latest = AreaScore.objects.filter(account=OuterRef("pk"))
    if at is not None:
        latest = latest.filter(at__lte=at)
    scans = (
        AwsAccount.objects.filter(pk__in=account_ids)
        .annotate(latest_scan=Subquery(latest.order_by("-at", "-scan_id").values("scan_id")[:1]))
        .values("latest_scan")
    )
    columns = dict.fromkeys(("account_id", "area", *fields))  # in order, once each
    rows = AreaScore.objects.filter(scan__in=scans).values_list(*columns, named=True)
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


def daily_overall(account_ids, days, end, areas=None, per_area=False):
    """{account_id: [overall score per day]} for the `days` days up to `end` (sparklines and daily trends):
    each day's last scan, its areas (or only `areas`) averaged, carried forward over days without a scan.
    per_area: one series per area instead, keyed (account_id, area).

    The database averages each scan's areas (a scan scores every area at once), so this reads one
    row per scan rather than one per area and scan. It groups by the scan alone: a scan's rows share
    one account and one moment (recording writes them together), which Min/Max only name. Grouped by
    (moment, account, scan, day) PostgreSQL sorted every area row (~10,000 for a page of 50 accounts);
    by scan it hashes them into ~1,500 groups and sorts those.
    """
    start = (end - timedelta(days=days - 1)).date()
    scores = AreaScore.objects.filter(account__in=account_ids, at__gte=end - timedelta(days=days), at__lte=end)
    if areas:
        scores = scores.filter(area__in=areas)
    keys = ("account", "area") if per_area else ("account",)
    rows = (
        scores.values("scan_id", *keys[1:])
        .annotate(account=Min("account_id"), last=Max("at"), day=TruncDate(Max("at")), overall=Avg("score"))
        .order_by("last")
        .values_list(*keys, "day", "overall")
    )
    by_day = defaultdict(dict)
    for *key, day, value in rows:
        by_day[tuple(key) if per_area else key[0]][day] = None if value is None else round(value, 1)
    return defaultdict(
        lambda: [None] * days,
        {key: carried_forward(points, start, days) for key, points in by_day.items()},
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


def key_ownership(account):
    """[(resource type, {key owner: count})] of the account's live resources."""
    return Resource.objects.live().filter(account=account).count_by_key_owner()


def ownership_totals(rows):
    """Each key owner's count and share (percent, one decimal) of all the resources in `rows`
    (ResourceQuerySet.count_by_key_owner): the line above a key-ownership chart."""
    totals = Counter()
    for _type, counts in rows:
        totals.update(counts)
    whole = sum(totals.values())
    return [
        {"owner": owner, "label": owner.label, "count": totals[owner], "share": round(100 * totals[owner] / whole, 1)}
        for owner in KeyOwner
        if totals[owner]
    ]


def failing_checks(account, now):
    """The account's checks with current, unmuted failing findings (muted ones are accepted risks, as on
    the overview and in reports), with how many resources each fails on."""
    return (
        Finding.objects.failing()
        .unmuted(now)
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
