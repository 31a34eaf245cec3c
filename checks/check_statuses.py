"""Each account's status of each check over time, as CheckStatus spans (see the model).

A check's status in an account is checks.compliance.rollup.check_status of its findings' statuses there:
recording refreshes an account's open spans from its per-check counts after a scan that wrote events
(refresh), as it recounts them, and the account's requirement statuses with them (checks.requirement_statuses);
rebuild() works the spans out of the event log itself (the migration that
introduced the table, the benchmark's bulk load, tests that write events directly). Both apply the same
rule, in Python, to the statuses present; the database only tracks which statuses are present when.
"""

from datetime import UTC, datetime
from itertools import chain

from django.db import connection, transaction

from checks import requirement_statuses
from checks.catalog.base import Status
from checks.compliance.rollup import check_status
from checks.models import CheckCount, CheckStatus, Finding, FindingEvent, month_pieces, write_spans

STATUSES = tuple(Status)  # bit i of a mask: the check has a finding with STATUSES[i]


def refresh(account_pk, at):
    """After a scan at `at` changed the account's findings (and its counts were recounted): close the spans
    of checks whose status changed and open their new ones."""
    now = current(account_pk)
    spans = {span.check_id: span for span in CheckStatus.objects.filter(account_id=account_pk, until__isnull=True)}
    was = {check_id: span.status for check_id, span in spans.items()}
    changed = [check_id for check_id in was.keys() | now.keys() if now.get(check_id) != was.get(check_id)]
    if not changed:
        return
    closed = [spans[check_id] for check_id in changed if check_id in spans]
    CheckStatus.objects.filter(pk__in=[span.pk for span in closed]).delete()
    rows = [piece for span in closed for piece in pieces(account_pk, span.check_id, span.status, span.since, at)]
    rows += [open_span(account_pk, check_id, now[check_id], at) for check_id in changed if check_id in now]
    CheckStatus.objects.bulk_create(rows)
    requirement_statuses.refresh(account_pk, now, at)


def current(account_pk):
    """{check id: status} of the account's checks now, from its per-check counts."""
    present = {}
    for check_id, status in CheckCount.objects.filter(account_id=account_pk).values_list("check_id", "status"):
        present.setdefault(check_id, set()).add(status)
    return {check_id: str(check_status(statuses)) for check_id, statuses in present.items()}


def pieces(account_pk, check_id, status, since, until):
    """The closed span [since, until) as one CheckStatus per calendar month (UTC) it covers."""
    return [
        CheckStatus(account_id=account_pk, check_id=check_id, status=status, since=start, until=end, month=month)
        for start, end, month in month_pieces(since, until)
    ]


# Which statuses each account's check has among its findings after every moment with events, from the
# events alone: a finding holds its latest event's new status ("" once closed), so each event adds its new
# status and takes away the finding's previous one (the previous event's, not old_status, which a pruned
# history may no longer hold). Only the moments where that set changes are returned.
CHANGES = """
WITH events AS (
    SELECT e.account_id, f.check_id, e."at", e.new_status,
           LAG(e.new_status) OVER (PARTITION BY e.finding_id ORDER BY e."at", e.id) AS before
    FROM {events} e JOIN {findings} f ON f.id = e.finding_id {where}
),
moments AS (
    SELECT account_id, check_id, "at", {deltas} FROM events GROUP BY account_id, check_id, "at"
),
masks AS (
    SELECT account_id, check_id, "at", {mask} AS mask FROM (
        SELECT account_id, check_id, "at", {running}
        FROM moments
        WINDOW w AS (PARTITION BY account_id, check_id ORDER BY "at" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ) counted
),
changes AS (
    SELECT account_id, check_id, "at", mask,
           LAG(mask) OVER (PARTITION BY account_id, check_id ORDER BY "at") AS before
    FROM masks
)
SELECT account_id, check_id, "at", mask FROM changes WHERE before IS NULL OR before <> mask
ORDER BY account_id, check_id, "at"
"""


def changes_sql(where=""):
    deltas = ", ".join(
        f"SUM(CASE WHEN new_status = '{s}' THEN 1 ELSE 0 END) - SUM(CASE WHEN before = '{s}' THEN 1 ELSE 0 END) AS d{i}"
        for i, s in enumerate(STATUSES)
    )
    running = ", ".join(f"SUM(d{i}) OVER w AS n{i}" for i in range(len(STATUSES)))
    mask = " + ".join(f"CASE WHEN n{i} > 0 THEN {1 << i} ELSE 0 END" for i in range(len(STATUSES)))
    return CHANGES.format(
        events=FindingEvent._meta.db_table,
        findings=Finding._meta.db_table,
        where=where,
        deltas=deltas,
        running=running,
        mask=mask,
    )


def spans(changes):
    """CheckStatus rows (a generator) from (account id, check id, moment, mask) rows ordered by account,
    check and moment."""
    held = None  # (account, check, status, since) of the span not closed yet
    for account_pk, check_id, at, mask in changes:
        at = moment(at)
        status = status_of(mask)
        if held and held[:2] != (account_pk, check_id):
            yield open_span(*held)
            held = None
        if held and held[2] == status:
            continue
        if held:
            yield from pieces(*held, at)
        held = (account_pk, check_id, status, at) if status else None
    if held:
        yield open_span(*held)


def moment(at):
    """A timestamp from a raw cursor (SQLite gives naive UTC text)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def open_span(account_pk, check_id, status, since):
    return CheckStatus(account_id=account_pk, check_id=check_id, status=status, since=since)


def status_of(mask):
    """The check's status from the statuses present (None: no finding, so no span)."""
    present = {status for i, status in enumerate(STATUSES) if mask & (1 << i)}
    return str(check_status(present)) if present else None


def rebuild(account_pks=None):
    """Work every span out of the events again (all rows, or those of `account_pks`, replaced)."""
    where, params, kept = "", [], CheckStatus.objects.all()
    if account_pks is not None:
        where = f"WHERE e.account_id IN ({', '.join(['%s'] * len(account_pks))})"
        params, kept = list(account_pks), kept.filter(account_id__in=account_pks)
    with transaction.atomic():
        kept.delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
        with connection.chunked_cursor() as cursor:
            cursor.execute(changes_sql(where), params)
            batch = []
            for row in spans(chain.from_iterable(iter(lambda: cursor.fetchmany(10_000), []))):
                batch.append(row)
                if len(batch) == 50_000:  # written between two fetches of the query's rows
                    write(batch)
                    batch = []
            write(batch)
        if connection.vendor == "postgresql" and account_pks is None:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {CheckStatus._meta.db_table}")  # the pages' plans need its statistics


def write(rows):
    write_spans(CheckStatus, rows)
