"""Day counts of status changes: each day's events, per account and (old status, new status), as DayChange rows.

Recording adds a scan's events as it writes them (add_scan); rebuild() recounts days from the events
themselves (the migration that introduced the table, the benchmark's bulk load). Both count the same way,
in the database: the day is the event's UTC date, as the Changes page's windows are.
"""

from django.db import connection, transaction

from checks.models import DayChange, FindingEvent

COLUMNS = "account_id, day, old_status, new_status, count"


def counted(where, params):
    """SELECT of the events matching `where`, counted per account, UTC day and (old, new) status."""
    day, day_params = connection.ops.datetime_cast_date_sql('"at"', (), "UTC")
    sql = (
        f"SELECT account_id, {day}, old_status, new_status, COUNT(*) FROM {FindingEvent._meta.db_table} "  # noqa: S608
        f"WHERE {where} GROUP BY account_id, {day}, old_status, new_status"
    )
    return sql, [*day_params, *params, *day_params]


def add_scan(scan_id):
    """Count the events of one scan into their days (one scan's events share an account and a moment);
    returns how many there were."""
    return add_counted("scan_id = %s", [scan_id])


def add_events(pks):
    """Count these events into their days (events written other than by recording: tests, repairs)."""
    if pks:
        add_counted(f"id IN ({', '.join(['%s'] * len(pks))})", list(pks))


def add_counted(where, params):
    select, params = counted(where, params)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = cursor.fetchall()
    add(rows)
    return sum(row[-1] for row in rows)


def add(rows):
    """Add (account id, day, old status, new status, count) rows to the day counts."""
    table = DayChange._meta.db_table
    sql = (
        f"INSERT INTO {table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (account_id, day, old_status, new_status) DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def rebuild():
    """Recount every day from the events (all rows replaced, in one transaction)."""
    select, params = counted("1 = 1", [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DayChange._meta.db_table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {DayChange._meta.db_table} ({COLUMNS}) {select}", params)  # noqa: S608
