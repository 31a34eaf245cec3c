"""Shared factories for dashboard tests: scans, resources, findings, their events, mutes and scores.

Findings copy their account, type and region from their resource (as recording does), so a test
that builds `FindingFactory(resource__account=account)` gets a consistent row.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks import check_counts, check_statuses, day_changes, owner_counts, requirement_statuses
from checks.catalog.base import Area, KeyOwner, Severity, Status
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan, Suppression


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scan

    account = factory.SubFactory(AwsAccountFactory)
    trigger = Scan.Trigger.SCHEDULE
    status = Scan.State.SUCCEEDED
    queued_at = factory.LazyFunction(timezone.now)
    started_at = factory.LazyAttribute(lambda scan: scan.queued_at)
    finished_at = factory.LazyAttribute(lambda scan: scan.queued_at + timedelta(seconds=30))


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    account = factory.SubFactory(AwsAccountFactory)
    type = "s3.bucket"
    region = "us-east-1"
    name = factory.Sequence(lambda n: f"bucket-{n}")
    uid = factory.LazyAttribute(lambda r: f"arn:aws:s3:::{r.name}")
    evidence = factory.LazyFunction(lambda: {"encrypted": True, "sse_algorithm": "AES256"})
    tags = factory.LazyFunction(dict)
    key_owner = KeyOwner.AWS_OWNED
    kms_key_arn = ""
    first_seen = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    last_seen = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def counted(resource, create, extracted, **kwargs):
        """Into its account's key-owner counts, as recording counts the resources it changes."""
        if create:
            owner_counts.recount(resource.account_id)


class KmsKeyFactory(ResourceFactory):
    """A customer-managed, enabled, rotating KMS key (Resource of type kms.key)."""

    type = "kms.key"
    name = factory.Sequence(lambda n: f"key-{n}")
    uid = factory.LazyAttributeSequence(
        lambda r, n: f"arn:aws:kms:{r.region}:{r.account.account_id}:key/{n:08d}-0000-4000-8000-000000000000"
    )
    evidence = factory.LazyFunction(
        lambda: {
            "key_manager": "CUSTOMER",
            "state": "Enabled",
            "key_spec": "SYMMETRIC_DEFAULT",
            "origin": "AWS_KMS",
            "rotation_enabled": True,
            "aliases": [],
            "description": "",
        }
    )
    key_owner = ""


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suppression

    check_id = "s3.bucket_default_encryption"
    account = factory.SubFactory(AwsAccountFactory)
    resource_pattern = "*"
    justification = "Accepted risk: reviewed by the security lead."
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding
        skip_postgeneration_save = True

    resource = factory.SubFactory(ResourceFactory)
    account = factory.SelfAttribute("resource.account")
    check_id = "s3.bucket_default_encryption"
    status = Status.FAIL
    reason = "Bucket has no default encryption."
    severity = Severity.HIGH
    area = Area.AT_REST
    resource_type = factory.SelfAttribute("resource.type")
    region = factory.SelfAttribute("resource.region")
    key_owner = ""
    first_seen = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    last_seen = factory.LazyFunction(timezone.now)
    status_since = factory.LazyAttribute(lambda f: f.first_seen)

    @factory.post_generation
    def counted(finding, create, extracted, **kwargs):
        """Into its account's per-check counts, as recording counts the findings it changes."""
        if create:
            check_counts.recount(finding.account_id)
            check_statuses.refresh(finding.account_id, timezone.now())


class FindingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FindingEvent
        skip_postgeneration_save = True

    finding = factory.SubFactory(FindingFactory)
    account = factory.SelfAttribute("finding.account")
    scan = None
    at = factory.LazyFunction(timezone.now)
    old_status = ""
    new_status = Status.FAIL
    reason = factory.SelfAttribute("finding.reason")

    @factory.post_generation
    def counted(event, create, extracted, **kwargs):
        """Into its day's count, as recording counts the events it writes."""
        if create:
            day_changes.add_events([event.pk])
            check_statuses.rebuild([event.account_id])
            requirement_statuses.rebuild([event.account_id])


class AreaScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaScore

    scan = factory.SubFactory(ScanFactory)
    account = factory.SelfAttribute("scan.account")
    at = factory.SelfAttribute("scan.finished_at")
    area = Area.AT_REST
    passed = 8
    failed = 2
    errors = 0
    score = 80.0
