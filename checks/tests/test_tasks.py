"""Scheduling, the per-account lock, cancelling and the dead-worker deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks import scanning, tasks
from checks.models import Scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Record what would go to the broker instead of sending it."""
    messages = []
    monkeypatch.setattr(tasks.scan_account, "apply_async", lambda args, **kw: messages.append(args[0]))
    return messages


def test_scan_due_accounts_queues_only_enabled_accounts_past_their_interval(sent, django_capture_on_commit_callbacks):
    now = timezone.now()
    never = AwsAccountFactory()
    stale = AwsAccountFactory(last_scan_started_at=now - timedelta(hours=7), scan_interval_minutes=360)
    AwsAccountFactory(last_scan_started_at=now - timedelta(minutes=5), scan_interval_minutes=360)
    AwsAccountFactory(is_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scan_due_accounts() == 2
    queued = Scan.objects.filter(pk__in=sent).values_list("account_id", flat=True)
    assert set(queued) == {never.pk, stale.pk}


def test_a_second_request_while_one_is_active_is_refused(sent, django_capture_on_commit_callbacks):
    account = AwsAccountFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = scanning.request_scan(account, Scan.Trigger.MANUAL)
        second = scanning.request_scan(account, Scan.Trigger.MANUAL)
    assert first is not None and second is None
    assert sent == [first.pk]


def test_broker_down_marks_the_scan_failed_with_a_clear_message(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(tasks.scan_account, "apply_async", broker_down)
    account = AwsAccountFactory()
    with django_capture_on_commit_callbacks(execute=True):
        scan = scanning.request_scan(account, Scan.Trigger.MANUAL)
    scan.refresh_from_db()
    assert scan.status == Scan.State.FAILED
    assert "queue is unavailable" in scan.error_message
    assert scanning.request_scan(account, Scan.Trigger.MANUAL) is not None  # not wedged


def test_cancel_a_queued_scan_stops_it_before_it_runs():
    scan = Scan.queue(AwsAccountFactory(), Scan.Trigger.MANUAL)
    assert scanning.cancel(scan)
    scanning.run_scan(scan)
    scan.refresh_from_db()
    assert scan.status == Scan.State.CANCELLED
    assert scan.started_at is None


def test_a_scan_whose_worker_went_quiet_is_failed_and_the_account_freed():
    account = AwsAccountFactory()
    scan = Scan.queue(account, Scan.Trigger.SCHEDULE)
    quiet = timezone.now() - timedelta(minutes=30)
    Scan.objects.filter(pk=scan.pk).update(status=Scan.State.RUNNING, heartbeat_at=quiet, started_at=quiet)
    fresh = Scan.queue(AwsAccountFactory(), Scan.Trigger.SCHEDULE)
    Scan.objects.filter(pk=fresh.pk).update(status=Scan.State.RUNNING, heartbeat_at=timezone.now())
    assert tasks.expire_stuck_scans() == 1
    scan.refresh_from_db()
    assert scan.status == Scan.State.FAILED and "stopped responding" in scan.error_message
    assert Scan.queue(account, Scan.Trigger.MANUAL) is not None
