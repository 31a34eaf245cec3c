"""The database going away during a scan: the scan fails cleanly, the task is retried with a fresh scan row,
and no scan ever records twice.

The loss is simulated: the recording step (inside its transaction, after resources were written) raises
the OperationalError a dropped PostgreSQL connection raises. The task runs eagerly (`apply`), which is how
Celery runs a retry inline, so the whole retry path is exercised without a broker.
"""

import pytest
from django.db import OperationalError

from accounts.tests.factories import AwsAccountFactory
from checks import recording, scanning, tasks
from checks.catalog.base import Status
from checks.inventory import Collected, Record
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan

pytestmark = pytest.mark.django_db

LOST = "server closed the connection unexpectedly"


class OneBucket:
    """A collector without AWS: one unencrypted bucket."""

    SERVICE = "s3"
    SCOPE = "global"

    @staticmethod
    def collect(ctx, region):
        collected = Collected("s3", region)
        collected.add(
            Record(
                uid="arn:aws:s3:::open",
                type="s3.bucket",
                region="us-east-1",
                name="open",
                evidence={"encrypted": False, "sse_algorithm": None},
            )
        )
        return collected


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(scanning, "COLLECTORS", [OneBucket])
    monkeypatch.setattr(scanning.sessions, "for_account", lambda account: object())


def lose_database(monkeypatch, times, also_when_finishing=False):
    """The next `times` recordings lose the connection mid-transaction (after resources were written)."""
    real_findings, real_finish = recording.upsert_findings, Scan.finish
    lost = []

    def upsert_findings(*args, **kwargs):
        if len(lost) < times:
            lost.append("record")
            assert Resource.objects.exists()  # half-written when the connection drops
            raise OperationalError(LOST)
        return real_findings(*args, **kwargs)

    def finish(scan, status, error_message=""):
        if also_when_finishing and status == Scan.State.FAILED and lost and lost[-1] == "record":
            lost.append("finish")
            raise OperationalError(LOST)  # still gone: the failure cannot even be written
        return real_finish(scan, status, error_message)

    monkeypatch.setattr(recording, "upsert_findings", upsert_findings)
    monkeypatch.setattr(Scan, "finish", finish)
    return lost


@pytest.mark.parametrize("also_when_finishing", [False, True], ids=["failure-written", "failure-unwritable"])
def test_a_lost_database_fails_the_scan_and_a_fresh_scan_records_once(offline, monkeypatch, also_when_finishing):
    account = AwsAccountFactory()
    lose_database(monkeypatch, times=1, also_when_finishing=also_when_finishing)
    first = Scan.queue(account, Scan.Trigger.SCHEDULE)

    result = tasks.scan_account.apply(args=(first.pk,))

    assert result.successful(), result.traceback
    first.refresh_from_db()
    assert first.status == Scan.State.FAILED
    assert "OperationalError" in first.error_message or "database connection was lost" in first.error_message
    retry = Scan.objects.exclude(pk=first.pk).get()
    assert retry.status == Scan.State.SUCCEEDED
    assert retry.trigger == first.trigger
    assert not FindingEvent.objects.filter(scan=first).exists()
    assert not AreaScore.objects.filter(scan=first).exists()
    finding = Finding.objects.get(check_id="s3.bucket_default_encryption")
    assert finding.status == Status.FAIL
    assert FindingEvent.objects.filter(finding=finding).count() == 1  # recorded once, by the retry
    assert Resource.objects.filter(type="s3.bucket").count() == 1


def test_a_database_that_stays_away_gives_up_and_records_nothing(offline, monkeypatch):
    account = AwsAccountFactory()
    lose_database(monkeypatch, times=99)
    first = Scan.queue(account, Scan.Trigger.SCHEDULE)

    result = tasks.scan_account.apply(args=(first.pk,))

    assert result.failed()
    assert isinstance(result.result, OperationalError)
    scans = list(Scan.objects.all())
    assert len(scans) == 1 + tasks.DATABASE_RETRIES
    assert {scan.status for scan in scans} == {Scan.State.FAILED}
    assert not Resource.objects.exists()
    assert not FindingEvent.objects.exists()
    assert Scan.queue(account, Scan.Trigger.MANUAL) is not None  # the account is not wedged


def test_a_scan_that_recorded_before_the_loss_is_never_run_again(offline):
    account = AwsAccountFactory()
    scan = Scan.queue(account, Scan.Trigger.SCHEDULE)
    scanning.run_scan(scan)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.State.RUNNING, finished_at=None)  # closing it was lost

    assert scanning.after_database_loss(scan.pk) is None

    scan.refresh_from_db()
    assert scan.status == Scan.State.PARTIAL
    assert Scan.objects.count() == 1


def test_a_scan_never_claimed_before_the_loss_simply_runs(offline):
    scan = Scan.queue(AwsAccountFactory(), Scan.Trigger.MANUAL)

    assert scanning.after_database_loss(scan.pk) == scan


def test_a_cancelled_scan_is_not_replaced(offline):
    scan = Scan.queue(AwsAccountFactory(), Scan.Trigger.MANUAL)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.State.RUNNING, cancel_requested=True)

    assert scanning.after_database_loss(scan.pk) is None
    assert Scan.objects.get().status == Scan.State.FAILED
