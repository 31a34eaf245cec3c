"""Per-account, per-check counts and their totals agree with the current findings they count: as recorded, rebuilt
and pruned."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count

from accounts.tests.factories import AwsAccountFactory
from checks import check_counts, retention
from checks.models import CheckCount, CheckTotal, Finding
from checks.tests.builders import NOW
from checks.tests.test_retention import one_check_catalog, scan_at  # noqa: F401 - a fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_check_catalog")]
DAY = timedelta(days=1)


def from_findings():
    return Counter(Finding.objects.current().values_list("account_id", "check_id", "status").order_by().iterator())


def stored():
    return Counter({(row.account_id, row.check_id, row.status): row.count for row in CheckCount.objects.all()})


def totals_from_findings():
    """{(check id, status): (findings, accounts)} of the current findings, counted afresh."""
    current = Finding.objects.current().order_by().values_list("check_id", "status")
    rows = current.annotate(count=Count("*"), accounts=Count("account", distinct=True))
    return {(check_id, status): (count, accounts) for check_id, status, count, accounts in rows}


def stored_totals():
    return {(row.check_id, row.status): (row.count, row.accounts) for row in CheckTotal.objects.all()}


def history():
    """Two accounts: buckets that fail, get fixed, go away and come back; an unchanged rescan in between."""
    accounts = [AwsAccountFactory(), AwsAccountFactory()]
    estates = [
        {"a": False, "b": True, "c": False},
        {"a": True, "b": True, "c": False},
        {"a": True, "b": True, "c": False},  # unchanged
        {"a": True, "c": True, "d": False},  # b gone, c fixed, d new
        {"a": False, "b": False, "d": False},  # b back failing, c gone
    ]
    for day, buckets in enumerate(estates):
        for number, account in enumerate(accounts):
            scan_at(account, NOW - (10 - day) * DAY, buckets if number == 0 else {**buckets, "e": day % 2 == 0})
    return accounts


def test_recording_keeps_each_accounts_counts_of_its_current_findings():
    history()

    assert stored() == from_findings()
    assert stored_totals() == totals_from_findings()
    assert sum(stored().values()) == Finding.objects.current().count() == 7
    assert Finding.objects.filter(closed_at__isnull=False).exists()  # a closed finding is not counted


def test_an_unchanged_rescan_leaves_the_counts_alone():
    accounts = history()
    CheckCount.objects.filter(account=accounts[0]).update(count=99)

    scan_at(accounts[0], NOW, {"a": False, "b": False, "d": False})  # as the last scan: no event

    assert set(CheckCount.objects.filter(account=accounts[0]).values_list("count", flat=True)) == {99}


def test_a_rebuild_counts_every_account_again():
    history()
    CheckCount.objects.all().delete()
    CheckTotal.objects.update(count=99)

    check_counts.rebuild()

    assert stored() == from_findings()
    assert stored_totals() == totals_from_findings()


def test_a_status_no_account_has_any_more_leaves_the_totals():
    accounts = history()
    for account in accounts:  # every bucket fixed, and e gone
        scan_at(account, NOW, {"a": True, "b": True, "d": True})

    assert stored_totals() == totals_from_findings() == {("test.bucket_encrypted", "PASS"): (6, 2)}


def test_pruning_leaves_the_counts_of_the_current_findings(settings):
    history()
    settings.HISTORY_RETENTION_DAYS = 1  # every closed finding is past the cut

    counts = retention.prune(NOW)

    assert counts["findings"] > 0
    assert stored() == from_findings()
    assert stored_totals() == totals_from_findings()


@pytest.mark.django_db(transaction=True)
def test_accounts_recorded_at_once_keep_the_totals_right():
    """Six accounts recorded at the same moment, three times over (keys appear, grow, shrink and vanish): every
    recording moves the same total rows, none fails or deadlocks, and the totals equal the findings counted."""
    from django.db import connection

    accounts = AwsAccountFactory.create_batch(6)
    rounds = [
        lambda n: {f"b{i}": (i + n) % 2 == 0 for i in range(12)},  # mixed
        lambda n: {f"b{i}": True for i in range(3 + n)},  # every account's FAIL row goes: the key vanishes
        lambda n: {f"b{i}": n % 3 == 0 for i in range(2 * n + 1)},  # FAIL comes back for some
    ]
    for number, buckets in enumerate(rounds):
        start, errors = threading.Barrier(len(accounts)), []

        def record(index, account, buckets=buckets, number=number, start=start, errors=errors):
            try:
                start.wait(timeout=30)
                scan_at(account, NOW - (5 - number) * DAY, buckets(index))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=record, args=pair) for pair in enumerate(accounts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert errors == []
        assert stored() == from_findings()
        assert stored_totals() == totals_from_findings()
    assert ("test.bucket_encrypted", "FAIL") in stored_totals()  # the last round brought the vanished key back
