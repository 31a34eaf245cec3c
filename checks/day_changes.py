"""Day counts of status changes: each day's events, per account and (old status, new status), as DayChange rows,
and the same summed per week (Monday to Sunday) as WeekChange rows, so a long window reads weeks, not days.

Recording adds a scan's events as it writes them (add_scan); rebuild() recounts days from the events
themselves and weeks from the days (the migrations that introduced the tables, the benchmark's bulk load).
Both count the same way, in the database: the day is the event's UTC date, as the Changes page's windows are.
"""

import datetime
from collections import Counter

from django.db import connection, transaction

from checks.models import DayChange, FindingEvent, WeekChange

COLUMNS = "account_id, {period}, old_status, new_status, count"


def monday(day):
    """The Monday of `day`'s week (a date, or SQLite's ISO text of one)."""
    day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
    return day - datetime.timedelta(days=day.weekday())


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
    """Add (account id, day, old status, new status, count) rows to the day counts and their weeks'."""
    weeks = Counter()
    for account_id, day, old, new, count in rows:
        weeks[account_id, monday(day), old, new] += count
    upsert(DayChange, "day", rows)
    upsert(WeekChange, "week", [(*key, count) for key, count in weeks.items()])


def upsert(model, period, rows):
    table = model._meta.db_table
    sql = (
        f"INSERT INTO {table} ({COLUMNS.format(period=period)}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (account_id, {period}, old_status, new_status) "
        f"DO UPDATE SET count = {table}.count + EXCLUDED.count"
    )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def rebuild():
    """Recount every day from the events, and every week from the days (all rows replaced, in one transaction)."""
    with transaction.atomic():
        rebuild_days()
        rebuild_weeks()


def rebuild_days():
    """Recount every day from the events (all day rows replaced, in one transaction)."""
    select, params = counted("1 = 1", [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DayChange._meta.db_table}")  # noqa: S608
        cursor.execute(f"INSERT INTO {DayChange._meta.db_table} ({COLUMNS.format(period='day')}) {select}", params)  # noqa: S608


def rebuild_weeks():
    """Sum every week from the days (all week rows replaced, in one transaction)."""
    week, params = connection.ops.date_trunc_sql("week", "day", ())
    if connection.vendor == "postgresql":
        week = f"({week})::date"
    days, weeks = DayChange._meta.db_table, WeekChange._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {weeks}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {weeks} ({COLUMNS.format(period='week')}) "  # noqa: S608
            f"SELECT account_id, {week}, old_status, new_status, SUM(count) FROM {days} "
            f"GROUP BY account_id, {week}, old_status, new_status",
            [*params, *params],
        )
