"""Net change between two moments: what started failing, was fixed, appeared or went away."""

from collections import defaultdict

from django.db import connection

from accounts.models import AwsAccount
from checks.models import Finding, FindingEvent

KINDS = ("newly failing", "fixed", "appeared", "disappeared")
LIMIT = 100  # findings listed per kind; the totals count them all

# Every event starts from the status the one before it left (recording writes old → new, "" when
# closed), so a finding's status at the window's start is the old status of its first event in the
# window and its status at the end the new status of its last: no finding's earlier history is read.
# At a year of a large estate a week holds ~140,000 events, so the database does the work: one row
# per finding (its latest event, carrying the first one's old status), classified and counted per
# kind; only the first LIMIT of each kind (a bounded top-N sort each) come back. Window functions and
# CTEs run alike on PostgreSQL and SQLite. Accounts rank by name compared by code point, as Python does.
CHANGED = """
WITH changed AS (
    SELECT finding_id, status_then, status_now, by_name.place,
           CASE WHEN status_then = '' THEN 'appeared'
                WHEN status_now = '' THEN 'disappeared'
                WHEN status_now = 'FAIL' THEN 'newly failing'
                WHEN status_then = 'FAIL' AND status_now = 'PASS' THEN 'fixed'
           END AS kind
    FROM (
        SELECT finding_id, account_id, new_status AS status_now,
               LAST_VALUE(old_status) OVER latest_first AS status_then,
               ROW_NUMBER() OVER latest_first AS recency
        FROM {events}
        WHERE "at" > %s AND "at" <= %s{in_accounts}
        WINDOW latest_first AS (
            PARTITION BY finding_id ORDER BY "at" DESC, id DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        )
    ) spans
    JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY name{by_code_point}, id) AS place FROM {accounts}) by_name
        ON by_name.id = spans.account_id
    WHERE recency = 1 AND status_then <> status_now
)
SELECT kind, NULL, NULL, NULL, COUNT(*) FROM changed WHERE kind IS NOT NULL GROUP BY kind
{first_of_each_kind}
"""
FIRST_OF_KIND = """UNION ALL SELECT * FROM (
    SELECT kind, finding_id, status_then, status_now, CAST(NULL AS BIGINT) FROM changed
    WHERE kind = %s ORDER BY place, finding_id LIMIT %s
) first_{number}
"""
BY_CODE_POINT = {"postgresql": ' COLLATE "C"', "sqlite": " COLLATE BINARY"}


def changed(start, end, accounts=None):
    """(kind, None, None, None, total) per kind found, then (kind, finding id, then, now, None) for its first LIMIT."""
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(start), adapt(end)]
    in_accounts = ""
    if accounts is not None:
        pks = [account.pk for account in accounts]
        in_accounts = f" AND account_id IN ({', '.join(['%s'] * len(pks)) or 'NULL'})"
        params += pks
    sql = CHANGED.format(
        events=FindingEvent._meta.db_table,
        accounts=AwsAccount._meta.db_table,
        in_accounts=in_accounts,
        by_code_point=BY_CODE_POINT.get(connection.vendor, ""),
        first_of_each_kind="".join(FIRST_OF_KIND.format(number=number) for number in range(len(KINDS))),
    )
    for kind in KINDS:
        params += [kind, LIMIT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def net_changes(start, end, accounts=None):
    """{kind: {account: [finding, ...]}} (the first LIMIT of each kind, by account name) and exact totals.

    Only the findings shown are read, with their account and resource.
    """
    totals = dict.fromkeys(KINDS, 0)
    shown = {}
    for kind, finding_id, before, after, total in changed(start, end, accounts):
        if finding_id is None:
            totals[kind] = total
        else:
            shown[finding_id] = (kind, before, after)
    findings = (
        Finding.objects.filter(pk__in=shown)
        .select_related("account", "resource")
        .order_by("account__name", "check_id", "pk")
    )
    grouped = {kind: defaultdict(list) for kind in KINDS}
    for finding in findings:
        kind, finding.before, finding.after = shown[finding.pk]
        grouped[kind][finding.account].append(finding)
    return {kind: dict(accounts) for kind, accounts in grouped.items()}, totals
