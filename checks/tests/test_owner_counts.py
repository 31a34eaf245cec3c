"""Per-account key-owner counts and their totals agree with the live resources they count: as recorded, rebuilt
and pruned."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count

from accounts.tests.factories import AwsAccountFactory
from checks import owner_counts, retention
from checks.models import OwnerCount, OwnerTotal, Resource
from checks.tests.builders import NOW
from checks.tests.test_retention import one_check_catalog, scan_at  # noqa: F401 - a fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_check_catalog")]
DAY = timedelta(days=1)


def from_resources():
    live = Resource.objects.live().exclude(key_owner="")
    return Counter(live.values_list("account_id", "type", "key_owner").order_by().iterator())


def stored():
    return Counter({(row.account_id, row.type, row.key_owner): row.count for row in OwnerCount.objects.all()})


def totals_from_resources():
    """{(type, key owner): (resources, accounts)} of the live resources, counted afresh."""
    live = Resource.objects.live().exclude(key_owner="").order_by().values_list("type", "key_owner")
    rows = live.annotate(count=Count("*"), accounts=Count("account", distinct=True))
    return {(kind, owner): (count, accounts) for kind, owner, count, accounts in rows}


def stored_totals():
    return {(row.type, row.key_owner): (row.count, row.accounts) for row in OwnerTotal.objects.all()}


def history():
    """Two accounts scanned at the same moments (ties): buckets that change key owner, go away and come back
    within the same day, and an unchanged rescan in between."""
    accounts = [AwsAccountFactory(), AwsAccountFactory()]
    moments = [NOW - 10 * DAY, NOW - 9 * DAY, NOW - 8 * DAY, NOW - 7 * DAY, NOW - 7 * DAY + timedelta(hours=1)]
    estates = [
        {"a": False, "b": True, "c": False},
        {"a": True, "b": True, "c": False},  # a now encrypted: another key owner
        {"a": True, "b": True, "c": False},  # unchanged
        {"a": True, "c": True, "d": False},  # b gone, c encrypted, d new
        {"a": False, "b": False, "d": True},  # the same day: b back, c gone, a unencrypted again, d encrypted
    ]
    for at, buckets in zip(moments, estates, strict=True):
        for number, account in enumerate(accounts):
            scan_at(account, at, buckets if number == 0 else {**buckets, "e": at.day % 2 == 0})
    return accounts


def test_recording_keeps_each_accounts_counts_of_its_live_resources():
    history()

    assert stored() == from_resources()
    assert stored_totals() == totals_from_resources()
    assert {owner for _, _, owner in stored()} == {"aws_owned", "unencrypted"}
    assert Resource.objects.filter(gone_at__isnull=False).exists()  # a gone resource is not counted


def test_an_unchanged_rescan_leaves_the_counts_alone():
    accounts = history()
    OwnerCount.objects.filter(account=accounts[0]).update(count=99)

    scan_at(accounts[0], NOW, {"a": False, "b": False, "d": True})  # as the last scan: nothing changed

    assert set(OwnerCount.objects.filter(account=accounts[0]).values_list("count", flat=True)) == {99}


def test_a_rebuild_counts_every_account_again():
    history()
    OwnerCount.objects.all().delete()
    OwnerTotal.objects.update(count=99)

    owner_counts.rebuild()

    assert stored() == from_resources()
    assert stored_totals() == totals_from_resources()


def test_a_key_owner_no_account_has_any_more_leaves_the_totals():
    accounts = history()
    for account in accounts:  # every bucket encrypted, and e gone
        scan_at(account, NOW, {"a": True, "b": True, "d": True})

    assert set(stored_totals()) == {("s3.bucket", "aws_owned")}
    assert stored_totals() == totals_from_resources() == {("s3.bucket", "aws_owned"): (6, 2)}


def test_pruning_leaves_the_counts_of_the_live_resources(settings):
    history()
    settings.HISTORY_RETENTION_DAYS = 1  # every gone resource is past the cut

    counts = retention.prune(NOW)

    assert counts["resources"] >= 0
    assert stored() == from_resources()
    assert stored_totals() == totals_from_resources()
