"""ElastiCache collector against the moto server: replication groups with their encryption at rest (and key)
and in transit (with its mode), across pages; a refused listing is a gap, never an empty region."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import elasticache
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, elasticache.collect(ctx, region)


def create(aws, name, region="us-east-1", **options):
    aws.client("elasticache", region).create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription=options.pop("description", name), **options
    )


def test_groups_record_at_rest_key_transit_mode_and_description(aws):
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create(aws, "plain", description="Sessions cache; owner ops@example.com")
    create(aws, "default-key", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True)
    create(
        aws,
        "own-key",
        AtRestEncryptionEnabled=True,
        KmsKeyId=key,
        TransitEncryptionEnabled=True,
        TransitEncryptionMode="preferred",
    )
    ctx, collected = scan(aws)
    groups = {record.name: record for record in collected.records}
    assert collected.errors == []
    assert groups["plain"].uid == f"arn:aws:elasticache:us-east-1:{aws.account_id}:replicationgroup:plain"
    assert groups["plain"].type == "elasticache.replication_group"
    assert groups["plain"].evidence["encrypted"] is False
    assert groups["plain"].evidence["transit_encryption"] is False
    assert groups["plain"].evidence["description"] == "Sessions cache; owner ops@example.com"
    assert groups["plain"].key_arn is None
    assert groups["default-key"].evidence["encrypted"] is True
    assert groups["default-key"].key_arn is None  # ElastiCache's default key has no id: AWS-owned
    assert groups["default-key"].evidence["transit_encryption_mode"] is None
    assert groups["own-key"].key_arn == key
    assert groups["own-key"].evidence["transit_encryption_mode"] == "preferred"
    assert ctx.call_log.repeated() == {}


def test_collected_groups_read_as_the_checks_expect(aws):
    create(aws, "plain")
    create(aws, "default-key", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True)
    create(
        aws, "migrating", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True, TransitEncryptionMode="preferred"
    )
    create(aws, "strict", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True, TransitEncryptionMode="required")
    _ctx, collected = scan(aws)
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)

    def verdicts(check_id):
        return {
            e.record.name: (e.result.status, e.result.key_owner) for e in evaluate_check(CATALOG[check_id], inventory)
        }

    assert verdicts("elasticache.replication_group_at_rest_encrypted") == {
        "plain": (Status.FAIL, KeyOwner.UNENCRYPTED),
        "default-key": (Status.PASS, KeyOwner.AWS_OWNED),
        "migrating": (Status.PASS, KeyOwner.AWS_OWNED),
        "strict": (Status.PASS, KeyOwner.AWS_OWNED),
    }
    in_transit = verdicts("elasticache.replication_group_in_transit_encrypted")
    assert {name: status for name, (status, _owner) in in_transit.items()} == {
        "plain": Status.FAIL,
        "default-key": Status.PASS,
        "migrating": Status.FAIL,
        "strict": Status.PASS,
    }


def test_groups_are_read_across_pages_and_per_region(aws):
    for number in range(5):
        create(aws, f"cache-{number}", region="eu-west-1")
    create(aws, "home-only")
    aws.session.events.register(
        "provide-client-params.elasticache.DescribeReplicationGroups",
        lambda params, **kwargs: params.update(MaxRecords=2),
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(record.name for record in collected.records) == [f"cache-{number}" for number in range(5)]
    assert {record.region for record in collected.records} == {"eu-west-1"}
    assert len([call for call in ctx.call_log.calls if call[2] == "DescribeReplicationGroups"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap_and_every_check_errors_in_that_region(aws):
    deny(aws.session, "elasticache", "DescribeReplicationGroups")
    create(aws, "hidden")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("elasticache:DescribeReplicationGroups", "AccessDenied", "")
    assert collected.records == []
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, [], collected.errors)
    for check_id in (
        "elasticache.replication_group_at_rest_encrypted",
        "elasticache.replication_group_in_transit_encrypted",
    ):
        [gap] = evaluate_check(CATALOG[check_id], inventory)
        assert gap.result.status == Status.ERROR
