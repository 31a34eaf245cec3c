"""Retention: history older than the window is pruned in batches, and the posture at (and after) the
window's edge is exactly what it was before pruning."""

from datetime import timedelta

import pytest

from accounts.tests.factories import AwsAccountFactory
from checks import history, recording, retention, tasks
from checks.catalog.base import Area, Severity, Status, check, failed, passed
from checks.evaluation import evaluate
from checks.inventory import Inventory, Record
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan
from checks.tests.builders import NOW

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def one_check_catalog():
    from checks.catalog.base import CATALOG

    saved = dict(CATALOG)
    CATALOG.clear()
    check(
        "test.bucket_encrypted",
        title="t",
        area=Area.AT_REST,
        severity=Severity.HIGH,
        resource_type="s3.bucket",
        needs=("s3:GetBucketEncryption",),
        rationale="r",
        remediation="m",
    )(lambda record, inventory: passed("Encrypted.") if record.evidence["encrypted"] else failed("Not encrypted."))
    yield
    CATALOG.clear()
    CATALOG.update(saved)


def bucket(name, encrypted):
    return Record(
        uid=f"arn:aws:s3:::{name}", type="s3.bucket", region="us-east-1", name=name, evidence={"encrypted": encrypted}
    )


def scan_at(account, at, buckets):
    scan = Scan.objects.create(
        account=account, trigger=Scan.Trigger.SCHEDULE, status=Scan.State.SUCCEEDED, queued_at=at, finished_at=at
    )
    inventory = Inventory(account.account_id, ("us-east-1",), at, [bucket(n, e) for n, e in buckets.items()])
    recording.record(scan, inventory, evaluate(inventory), at)
    return scan


def posture(at):
    return {
        (f.resource.name, f.status_then)
        for f in history.findings_as_of(at).select_related("resource")
        if f.resource.type == "s3.bucket"
    }


@pytest.fixture
def estate(settings):
    """Two years of history for one account, the window being 400 days before NOW."""
    settings.HISTORY_RETENTION_DAYS = 400
    account = AwsAccountFactory()
    cut = NOW - 400 * DAY
    scans = {
        "ancient": scan_at(account, cut - 300 * DAY, {"a": False, "b": True, "c": False, "d": True}),
        "old": scan_at(account, cut - 100 * DAY, {"a": True, "b": True, "d": True}),  # a fixed, c gone
        "edge": scan_at(account, cut - 10 * DAY, {"a": True, "b": True, "d": False}),  # d regressed
        "recent": scan_at(account, cut + 50 * DAY, {"a": False, "b": True, "d": False}),  # a regressed
        "today": scan_at(account, NOW - DAY, {"a": False, "b": True}),  # d gone
    }
    return account, cut, scans


def test_the_posture_at_and_after_the_edge_survives_pruning(estate):
    account, cut, scans = estate
    moments = [cut, cut + DAY, cut + 50 * DAY, cut + 51 * DAY, NOW - DAY, NOW]
    before = {at: posture(at) for at in moments}
    assert before[cut] == {("a", Status.PASS), ("b", Status.PASS), ("d", Status.FAIL)}  # a meaningful edge

    counts = retention.prune(now=NOW)

    assert {at: posture(at) for at in moments} == before
    assert counts["findings"] == 1  # c: closed long before the edge
    assert not Resource.objects.filter(name="c").exists()
    assert Resource.objects.filter(name="d").exists()  # gone yesterday: well inside the window


def test_old_events_scores_and_scans_go_but_each_baseline_stays(estate):
    account, cut, scans = estate

    retention.prune(now=NOW)

    a = Finding.objects.get(resource__name="a")
    old_events = list(FindingEvent.objects.filter(finding=a, at__lt=cut).values_list("new_status", flat=True))
    assert old_events == [Status.PASS]  # only the baseline: the latest event before the edge
    for finding in Finding.objects.all():  # at most one event before the edge for every finding
        assert FindingEvent.objects.filter(finding=finding, at__lt=cut).count() == 1
    d_baseline = FindingEvent.objects.get(finding__resource__name="d", at__lt=cut)
    assert (d_baseline.old_status, d_baseline.new_status) == (Status.PASS, Status.FAIL)
    # b never changed: its only event (when it appeared) is its baseline, however old.
    assert FindingEvent.objects.filter(finding__resource__name="b").count() == 1
    assert set(AreaScore.objects.filter(at__lt=cut).values_list("scan", flat=True)) == {scans["edge"].pk}
    assert set(Scan.objects.values_list("pk", flat=True)) == {scans[n].pk for n in ("edge", "recent", "today")}


def test_pruning_twice_changes_nothing_more(estate):
    retention.prune(now=NOW)
    after = (FindingEvent.objects.count(), AreaScore.objects.count(), Scan.objects.count())

    assert set(retention.prune(now=NOW).values()) == {0}
    assert (FindingEvent.objects.count(), AreaScore.objects.count(), Scan.objects.count()) == after


def test_deletes_go_in_batches(estate, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(retention, "BATCH", 1)
    deletes = []
    real = retention.delete_in_batches

    def counting(queryset):
        total = real(queryset)
        deletes.append(total)
        return total

    monkeypatch.setattr(retention, "delete_in_batches", counting)
    retention.prune(now=NOW)

    assert max(deletes) > 1  # several rows, one per batch of 1: no single giant delete


def test_running_scans_are_never_pruned(estate):
    account, cut, _ = estate
    Scan.objects.create(
        account=AwsAccountFactory(), trigger=Scan.Trigger.SCHEDULE, status=Scan.State.RUNNING, queued_at=cut - 5 * DAY
    )

    retention.prune(now=NOW)

    assert Scan.objects.filter(status=Scan.State.RUNNING).exists()


def test_an_as_of_older_than_the_window_is_refused_clearly(settings):
    settings.HISTORY_RETENTION_DAYS = 400

    assert history.oldest_reconstructable(NOW) == NOW - 400 * DAY
    assert history.ensure_reconstructable(NOW - 400 * DAY, now=NOW) == NOW - 400 * DAY
    with pytest.raises(history.BeyondRetention, match="keeps 400 days of history; the oldest date .* 2025-05-26"):
        history.ensure_reconstructable(NOW - 401 * DAY, now=NOW)


def test_the_daily_task_is_scheduled_and_prunes(settings, estate):
    assert settings.CELERY_BEAT_SCHEDULE["prune-history"]["task"] == "checks.tasks.prune_history"
    assert settings.CELERY_BEAT_SCHEDULE["prune-history"]["schedule"] == 24 * 3600
    result = tasks.prune_history()  # with the real clock: everything in the estate is older than NOW's window
    assert set(result) >= {"events", "scores", "scans", "findings", "resources", "reports", "audit_entries"}
