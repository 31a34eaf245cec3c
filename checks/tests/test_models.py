"""Query rules written once on the models: which resources are live, which mutes are active."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checks.catalog.base import KeyOwner
from checks.models import Resource
from dashboard.tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_live_resources_are_those_no_scan_found_gone():
    live = ResourceFactory()
    ResourceFactory(gone_at=timezone.now())
    assert list(Resource.objects.live()) == [live]


def test_live_at_a_moment_means_first_seen_by_then_and_not_yet_gone():
    now = timezone.now()
    day = timedelta(days=1)
    always = ResourceFactory(name="always", first_seen=now - 10 * day)
    ResourceFactory(name="later", first_seen=now - day)
    ResourceFactory(name="gone-before", first_seen=now - 10 * day, gone_at=now - 6 * day)
    gone_after = ResourceFactory(name="gone-after", first_seen=now - 10 * day, gone_at=now - 4 * day)
    ResourceFactory(name="gone-then", first_seen=now - 10 * day, gone_at=now - 5 * day)
    assert set(Resource.objects.live_at(now - 5 * day)) == {always, gone_after}


def test_key_ownership_counts_live_types_by_owner_largest_first():
    ResourceFactory.create_batch(2, type="sqs.queue", key_owner=KeyOwner.AWS_OWNED)
    ResourceFactory(type="sqs.queue", key_owner=KeyOwner.CUSTOMER_MANAGED)
    ResourceFactory(type="ebs.volume", key_owner=KeyOwner.UNENCRYPTED)
    ResourceFactory(type="kms.key", key_owner="")  # nothing to own
    assert Resource.objects.live().count_by_key_owner() == [
        ("sqs.queue", {"aws_owned": 2, "customer_managed": 1}),
        ("ebs.volume", {"unencrypted": 1}),
    ]
