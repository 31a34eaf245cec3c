"""Large exports read accounts on several database connections at once (exports.rows.read_ahead).

These tests commit their data (transaction=True): other connections cannot see a test transaction's
rows, which is also why the parallel path stays off inside any atomic block. On SQLite the export reads
one account after another; the files must be the same either way.
"""

import io
import time
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from dashboard.exports import csv as csv_export
from dashboard.exports import json as json_export
from dashboard.exports import rows as export_rows
from dashboard.exports.scope import Scope, parse_as_of
from dashboard.tests.report_estate import seed_estate

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def estate(time_machine):
    time_machine.move_to(NOW, tick=False)
    return seed_estate(NOW, accounts=5, resources=3, days=10)


def files(scope):
    """(CSV, JSON) text of `scope` as a report job writes them."""
    csv_out, json_out = io.StringIO(), io.StringIO()
    csv_export.write_records(scope.csv_rows(), csv_out)
    json_export.write_objects(scope.json_objects(), json_out)
    return csv_out.getvalue(), json_out.getvalue()


def backends():
    """Server processes connected to this database (PostgreSQL; an empty set on SQLite)."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return {pid for (pid,) in cursor.fetchall()}


def closed_since(before, seconds=3.0):
    """True once no backend beyond `before` is connected (a closed connection's server process may take a
    moment to leave pg_stat_activity); False if one stays for `seconds`."""
    deadline = time.monotonic() + seconds
    while not backends() <= before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("as_of", [None, "2026-11-15"])
def test_parallel_and_serial_reads_write_the_same_files(estate, settings, as_of):
    scope = Scope(as_of=parse_as_of(as_of) if as_of else None)
    settings.EXPORT_DB_WORKERS = 1
    serial = files(scope)
    settings.EXPORT_DB_WORKERS = 3
    before = backends()

    parallel = files(scope)

    assert parallel == serial
    assert serial[0].count("\r\n") > 5 * 3  # every account has rows: the order across accounts is tested
    assert closed_since(before)  # every reader thread closed its connection


def test_the_parallel_path_is_the_one_taken_outside_a_transaction(estate, settings, monkeypatch):
    """Guards the test above: on PostgreSQL it must really have read on other threads."""
    settings.EXPORT_DB_WORKERS = 2
    calls = []
    original = export_rows.read_ahead
    monkeypatch.setattr(
        export_rows, "read_ahead", lambda parts, workers: calls.append(workers) or original(parts, workers)
    )

    rows = list(Scope().csv_rows())
    with transaction.atomic():
        inside = list(Scope().csv_rows())

    assert rows == inside
    assert calls == ([2] if connection.vendor == "postgresql" else [])


def test_a_failing_read_reaches_the_writer_and_leaves_no_connection(estate, settings, monkeypatch):
    settings.EXPORT_DB_WORKERS = 2
    before = backends()
    original, third = export_rows.of_account, Scope().account_order()[2]

    def third_account_fails(findings, account):
        part = original(findings, account)
        return part.extra(where=["no_such_column = 1"]) if account == third else part

    monkeypatch.setattr(export_rows, "of_account", third_account_fails)

    with pytest.raises(DatabaseError, match="no_such_column"):
        list(Scope().csv_rows())
    assert closed_since(before)
