"""Changes between two days: what started failing, was fixed, appeared or went away, day by day.

A window is the days after its start day up to and including its end day (UTC). Each status change a scan
recorded in it counts once, on its day, under the kind its (old status, new status) makes — a finding that
started failing on Monday and was fixed on Wednesday is under both. Totals come from the week and day counts
(checks.day_changes: a few rows per account and whole week of the window, and at its ends per day, or per week
less the days outside the window when those are fewer; never the window's events), and so do the accounts
that hold the first LIMIT findings of each kind by account name; only those accounts' events are read.
"""

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from accounts.models import AwsAccount
from checks.models import DayChange, Finding, FindingEvent, WeekChange
from checks.retention import oldest_reconstructable

KINDS = ("newly failing", "fixed", "appeared", "disappeared")
LIMIT = 100  # findings listed per kind; the totals count them all

# The one rule that names a change (recording writes old → new, "" for absent; never old = new).
KIND_OF = """CASE WHEN old_status = '' THEN 'appeared'
     WHEN new_status = '' THEN 'disappeared'
     WHEN new_status = 'FAIL' THEN 'newly failing'
     WHEN old_status = 'FAIL' AND new_status = 'PASS' THEN 'fixed'
END"""
# Per kind: the total, then each account holding one of the first LIMIT changes (accounts by name compared
# by code point, as Python does) with how many changes the accounts before it hold.
COUNTED = """
WITH per_account AS (
    SELECT account_id, kind, SUM(changes) AS changes FROM (
        SELECT account_id, {kind_of} AS kind, SUM("count") AS changes FROM ({periods}) periods
        GROUP BY account_id, old_status, new_status
    ) pairs
    WHERE kind IS NOT NULL GROUP BY account_id, kind HAVING SUM(changes) > 0
)
SELECT kind, NULL, SUM(changes) FROM per_account GROUP BY kind
UNION ALL
SELECT kind, account_id, earlier FROM (
    SELECT kind, per_account.account_id,
           SUM(changes) OVER (PARTITION BY kind ORDER BY name{by_code_point}, {accounts}.id ROWS UNBOUNDED PRECEDING)
           - changes AS earlier
    FROM per_account JOIN {accounts} ON {accounts}.id = per_account.account_id
) ranked
WHERE earlier < %s
"""
# The changes of the accounts found above, with their kind: the latest of each kind per finding.
LISTED = """
SELECT kind, account_id, finding_id, old_status, new_status FROM (
    SELECT account_id, finding_id, old_status, new_status, {kind_of} AS kind,
           ROW_NUMBER() OVER (PARTITION BY finding_id, {kind_of} ORDER BY "at" DESC, id DESC) AS recency
    FROM {events}
    WHERE account_id IN ({accounts}) AND "at" > %s AND "at" <= %s
) changes
WHERE kind IS NOT NULL AND recency = 1
"""
BY_CODE_POINT = {"postgresql": ' COLLATE "C"', "sqlite": " COLLATE BINARY"}
# One range of days or weeks of the window's counts; less (sign "-") the days of a week outside the window.
PERIOD = """SELECT account_id, old_status, new_status, {sign}"count" FROM {table}
WHERE {column} >= %s AND {column} <= %s{in_accounts}"""
DAY = datetime.timedelta(days=1)


class Period(NamedTuple):
    model: type  # DayChange or WeekChange
    start: datetime.date  # the first day (or week's Monday) counted
    end: datetime.date  # the last
    sign: str = ""  # "-": subtracted


def end_of(day):
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)


def moments(first, last):
    """The window (first, last] as the moments it runs between: the end of `first` to the end of `last` or now."""
    return end_of(first), min(end_of(last), timezone.now())


def periods(first, last, today, kept_after):
    """The Periods whose counts sum to the window's (the days after `first` up to `last`): its whole weeks from
    the week counts; a week it holds part of from the day counts, or, when that reads fewer rows, as the week
    less its days outside the window (days after `today` have no rows). Only weeks starting after `kept_after`
    are whole (retention deletes a week the cut falls in)."""
    found, day = [], first + DAY
    while day <= last:
        monday = day - datetime.timedelta(days=day.weekday())
        sunday, end = monday + 6 * DAY, min(monday + 6 * DAY, last)
        before, after = Period(DayChange, monday, day - DAY, "-"), Period(DayChange, end + DAY, sunday, "-")
        outside = [period for period in (before, after) if period.start <= period.end]
        days_read = sum((min(period.end, today) - period.start).days + 1 for period in outside if period.start <= today)
        if not outside and found and found[-1].model is WeekChange and found[-1].end == monday - 7 * DAY:
            found[-1] = found[-1]._replace(end=monday)  # the next whole week: one range
        elif not outside or (monday > kept_after and 1 + days_read < (end - day).days + 1):
            found += [Period(WeekChange, monday, monday), *outside]
        else:
            found.append(Period(DayChange, day, end))
        day = sunday + DAY
    return found


def counted(first, last, accounts=None):
    """({kind: total}, {kind: [account id, ...]}: the accounts, by name, that hold its first LIMIT changes)."""
    totals, holding = dict.fromkeys(KINDS, 0), {kind: [] for kind in KINDS}
    window = periods(first, last, timezone.now().date(), oldest_reconstructable().date())
    if not window:
        return totals, holding
    in_accounts, pks = "", []
    if accounts is not None:
        pks = [account.pk for account in accounts]
        in_accounts = f" AND account_id IN ({', '.join(['%s'] * len(pks)) or 'NULL'})"
    parts, params = [], []
    for period in window:
        table, column = period.model._meta.db_table, "week" if period.model is WeekChange else "day"
        parts.append(PERIOD.format(sign=period.sign, table=table, column=column, in_accounts=in_accounts))
        params += [connection.ops.adapt_datefield_value(period.start), connection.ops.adapt_datefield_value(period.end)]
        params += pks
    sql = COUNTED.format(
        kind_of=KIND_OF,
        periods="\nUNION ALL\n".join(parts),
        accounts=AwsAccount._meta.db_table,
        by_code_point=BY_CODE_POINT.get(connection.vendor, ""),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, LIMIT])
        for kind, account_id, number in cursor.fetchall():
            if account_id is None:
                totals[kind] = int(number)
            else:
                holding[kind].append((number, account_id))
    return totals, {kind: [pk for _, pk in sorted(found)] for kind, found in holding.items()}


def listed(first, last, holding):
    """{kind: [(finding id, old, new), ...]}: the first LIMIT findings of each kind, by account then id."""
    pks = sorted({pk for found in holding.values() for pk in found})
    adapt = connection.ops.adapt_datetimefield_value
    sql = LISTED.format(
        kind_of=KIND_OF, events=FindingEvent._meta.db_table, accounts=", ".join(["%s"] * len(pks)) or "NULL"
    )
    rows = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*pks, adapt(end_of(first)), adapt(end_of(last))])
        for kind, account_id, finding_id, old, new in cursor.fetchall():
            rows[kind, account_id].append((finding_id, old, new))
    return {kind: [change for pk in holding[kind] for change in sorted(rows[kind, pk])][:LIMIT] for kind in KINDS}


class Resource(NamedTuple):
    uid: str
    name: str


class Listed(NamedTuple):
    """A finding as one kind lists it, with what the page and the API show of it (a finding under two kinds is
    two rows, each with its own statuses). Plain rows: model instances and their copies were a tenth of the page."""

    pk: int
    check_id: str
    severity: str
    resource: Resource
    account: AwsAccount
    before: str
    after: str

    @property
    def id(self):
        return self.pk


def net_changes(first, last, accounts=None):
    """{kind: {account: [Listed, ...]}} (the first LIMIT of each kind, by account name) and exact totals,
    for the days after `first` up to `last`. Only the findings shown are read, with their account and resource.
    """
    totals, holding = counted(first, last, accounts)
    shown = {}
    for kind, changes in listed(first, last, holding).items():
        for finding_id, before, after in changes:
            shown[kind, finding_id] = (before, after)
    rows = (
        Finding.objects.filter(pk__in={finding_id for _, finding_id in shown})
        .order_by("account__name", "check_id", "pk")
        .values_list(
            "pk",
            "check_id",
            "severity",
            "resource__uid",
            "resource__name",
            "account",
            "account__name",
            "account__account_id",
        )
    )
    grouped, seen = {kind: defaultdict(list) for kind in KINDS}, {}
    for pk, check_id, severity, uid, name, account_pk, account_name, account_number in rows:
        if account_pk not in seen:
            seen[account_pk] = AwsAccount(pk=account_pk, name=account_name, account_id=account_number)
        for kind in KINDS:
            if (kind, pk) in shown:
                row = Listed(pk, check_id, severity, Resource(uid, name), seen[account_pk], *shown[kind, pk])
                grouped[kind][seen[account_pk]].append(row)
    return {kind: dict(accounts) for kind, accounts in grouped.items()}, totals
