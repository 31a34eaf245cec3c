"""As-of correctness: the posture on a past date is rebuilt from the event log, in every export.

The history is made the way production makes it: checks.recording.record over synthetic inventories
at chosen times (a one-check catalog, so the real checks' evidence needs do not matter here).
"""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import AwsAccountFactory
from checks import recording
from checks.catalog.base import Area, Severity, Status, check, failed, passed
from checks.evaluation import evaluate
from checks.inventory import Inventory, Record
from checks.models import Scan
from dashboard.exports import csv as csv_export
from dashboard.exports import json as json_export
from dashboard.exports.rows import iter_rows
from dashboard.exports.scope import Scope, ScopeError, parse_as_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
DAY1 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def day(n):
    return DAY1 + timedelta(days=n - 1)


@pytest.fixture
def catalog():
    from checks.catalog.base import CATALOG

    saved = dict(CATALOG)
    CATALOG.clear()

    def bucket_encrypted(record, inventory):
        return passed("Encrypted.") if record.evidence["encrypted"] else failed("Not encrypted.")

    check(
        "test.bucket_encrypted",
        title="Bucket is encrypted",
        area=Area.AT_REST,
        severity=Severity.HIGH,
        resource_type="s3.bucket",
        needs=("s3:GetBucketEncryption",),
        rationale="r",
        remediation="Console: encrypt it. CLI: aws s3api put-bucket-encryption",
    )(bucket_encrypted)
    yield CATALOG
    CATALOG.clear()
    CATALOG.update(saved)


def bucket(name, encrypted):
    return Record(
        uid=f"arn:aws:s3:::{name}", type="s3.bucket", region="us-east-1", name=name, evidence={"encrypted": encrypted}
    )


def scan_at(account, at, records):
    scan = Scan.objects.create(account=account, trigger=Scan.Trigger.CLI, status=Scan.State.SUCCEEDED)
    inventory = Inventory(account.account_id, ("us-east-1",), at, list(records), [])
    recording.record(scan, inventory, evaluate(inventory), at)


@pytest.fixture
def history(catalog, time_machine):
    """Bucket a fails on day 1, is fixed on day 3 and fails again on day 5; bucket b appears on day 4."""
    time_machine.move_to(NOW, tick=False)
    account = AwsAccountFactory(account_id="111122223333", name="prod")
    scan_at(account, day(1), [bucket("a", False)])
    scan_at(account, day(3), [bucket("a", True)])
    scan_at(account, day(4), [bucket("a", True), bucket("b", True)])
    scan_at(account, day(5), [bucket("a", False), bucket("b", True)])
    return account


def buckets(scope):
    return [resource.name for resource in scope.resources().filter(type="s3.bucket")]


def rows_as_of(date):
    scope = Scope(as_of=parse_as_of(date))
    return {row["resource_name"]: row for row in scope.rows()}


@pytest.mark.parametrize(
    ("date", "status_a", "since_a"),
    [
        ("2026-07-02", Status.FAIL, day(1)),
        ("2026-07-04", Status.PASS, day(3)),
        ("2026-07-06", Status.FAIL, day(5)),
    ],
)
def test_a_finding_failing_fixed_and_failing_again_reports_the_status_of_each_day(history, date, status_a, since_a):
    rows = rows_as_of(date)

    assert rows["a"]["status"] == status_a
    assert rows["a"]["status_since"] == since_a.isoformat()
    assert rows["a"]["reason"] == ("Encrypted." if status_a == Status.PASS else "Not encrypted.")


def test_a_resource_created_on_day_4_is_absent_as_of_day_2_and_present_as_of_day_4(history):
    assert "b" not in rows_as_of("2026-07-02")
    assert rows_as_of("2026-07-04")["b"]["status"] == Status.PASS

    day2 = Scope(as_of=parse_as_of("2026-07-02"))
    day4 = Scope(as_of=parse_as_of("2026-07-04"))
    assert buckets(day2) == ["a"]
    assert buckets(day4) == ["a", "b"]


def test_csv_and_json_exports_carry_the_as_of_status_not_todays(history):
    scope = Scope(as_of=parse_as_of("2026-07-04"))  # today (day 10) bucket a is failing
    text, out = io.StringIO(), io.StringIO()
    csv_export.write(scope.rows(), text)
    json_export.write(scope.rows(), out)

    by_name = {row["resource_name"]: row for row in csv.DictReader(io.StringIO(text.getvalue().lstrip("\ufeff")))}
    assert by_name["a"]["status"] == "PASS"
    assert {row["resource_name"]: row["status"] for row in json.loads(out.getvalue())} == {"a": "PASS", "b": "PASS"}


def test_a_gone_resource_is_absent_after_it_went_and_present_before(history):
    scan_at(history, day(7), [bucket("a", False)])  # b disappears on day 7

    assert "b" in rows_as_of("2026-07-06")
    assert "b" not in rows_as_of("2026-07-07")
    assert buckets(Scope(as_of=parse_as_of("2026-07-07"))) == ["a"]
    assert buckets(Scope(as_of=parse_as_of("2026-07-06"))) == ["a", "b"]


def test_as_of_is_the_end_of_the_day_in_utc(history):
    assert parse_as_of("2026-07-05") == datetime(2026, 7, 5, 23, 59, 59, 999999, tzinfo=UTC)
    assert rows_as_of("2026-07-05")["a"]["status"] == Status.FAIL  # the day-5 scan ran at 09:00


def test_as_of_today_means_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    assert parse_as_of("2026-07-10") == NOW


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-07-11", "in the future"),
        ("2025-06-04", "older than the 400 days"),
        ("30/06/2026", "must look like 2026-06-30"),
    ],
)
def test_dates_outside_the_kept_history_are_refused_with_a_reason(time_machine, settings, value, message):
    time_machine.move_to(NOW, tick=False)
    settings.HISTORY_RETENTION_DAYS = 400
    with pytest.raises(ScopeError, match=message):
        parse_as_of(value)


def test_the_oldest_kept_date_is_accepted(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.HISTORY_RETENTION_DAYS = 400
    assert parse_as_of((NOW - timedelta(days=400)).date().isoformat()).date() == (NOW - timedelta(days=400)).date()


def test_excluding_muted_findings_uses_the_mute_as_it_stood_on_the_date(history):
    from checks.models import Finding, Suppression

    finding = Finding.objects.get(resource__name="a")
    finding.suppression = Suppression.objects.create(
        check_id=finding.check_id, account=history, justification="Accepted.", created_at=day(3), expires_at=day(6)
    )
    finding.save()

    def names(date, include_muted):
        scope = Scope(as_of=parse_as_of(date), include_muted=include_muted)
        return sorted(row["resource_name"] for row in scope.rows())

    assert names("2026-07-02", include_muted=False) == ["a"]  # not muted yet on day 2
    assert names("2026-07-04", include_muted=False) == ["b"]  # muted on day 4
    assert names("2026-07-04", include_muted=True) == ["a", "b"]
    assert names("2026-07-07", include_muted=False) == ["a", "b"]  # the mute expired on day 6
    muted = {
        row["resource_name"]: row["muted"]
        for row in iter_rows(Scope(as_of=parse_as_of("2026-07-04")).findings(), parse_as_of("2026-07-04"))
    }
    assert muted == {"a": True, "b": False}
