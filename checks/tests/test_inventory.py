"""Inventory's key lookups: resolving key references and classifying whose key protects a resource."""

import pytest

from checks.catalog.base import KeyOwner
from checks.inventory import TAG_ROW, CollectionError, Record, is_aws_managed_key
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record

OTHER_REGION = "eu-west-1"


def key_arn(key_id, region=REGION, account=ACCOUNT):
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


@pytest.fixture
def inventory():
    return make_inventory(
        make_key("cmk", aliases=["alias/app"]),
        make_key("ebs-default", aliases=["alias/aws/ebs"]),  # moto's shape: CUSTOMER with an aws alias
        make_key("managed", manager="AWS"),
        make_key("cmk-eu", region=OTHER_REGION, aliases=["alias/app"]),
        regions=(REGION, OTHER_REGION),
    )


def test_no_key_reference_means_the_services_own_key(inventory):
    assert inventory.key_owner(None, REGION) == KeyOwner.AWS_OWNED
    assert inventory.key_owner("", REGION) == KeyOwner.AWS_OWNED


def test_aws_alias_is_aws_managed_even_when_the_key_was_not_collected(inventory):
    assert inventory.key_owner("alias/aws/sqs", REGION) == KeyOwner.AWS_MANAGED
    assert inventory.key_owner(f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/s3", REGION) == KeyOwner.AWS_MANAGED


def test_key_with_key_manager_aws_is_aws_managed(inventory):
    assert inventory.key_owner(key_arn("managed"), REGION) == KeyOwner.AWS_MANAGED


def test_customer_labelled_key_with_aws_alias_is_aws_managed(inventory):
    assert inventory.key_owner(key_arn("ebs-default"), REGION) == KeyOwner.AWS_MANAGED


def test_customer_key_is_customer_managed_by_arn_id_alias_and_alias_arn(inventory):
    refs = [key_arn("cmk"), "cmk", "alias/app", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"]
    assert [inventory.key_owner(ref, REGION) for ref in refs] == [KeyOwner.CUSTOMER_MANAGED] * 4


def test_another_accounts_key_is_external(inventory):
    assert inventory.key_owner(key_arn("cmk", account=OTHER_ACCOUNT), REGION) == KeyOwner.EXTERNAL
    assert inventory.key_owner(f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/aws/ebs", REGION) == KeyOwner.EXTERNAL


def test_unknown_same_account_key_is_unknown(inventory):
    assert inventory.key_owner(key_arn("gone"), REGION) == KeyOwner.UNKNOWN
    assert inventory.key_owner("alias/nobody", REGION) == KeyOwner.UNKNOWN


def test_listed_key_that_could_not_be_described_is_unknown():
    inventory = make_inventory(make_key("opaque", manager=None))
    assert inventory.key_owner(key_arn("opaque"), REGION) == KeyOwner.UNKNOWN


def test_alias_resolves_within_its_own_region(inventory):
    assert inventory.key("alias/app", REGION).uid == key_arn("cmk")
    assert inventory.key("alias/app", OTHER_REGION).uid == key_arn("cmk-eu", OTHER_REGION)
    assert inventory.key(f"arn:aws:kms:{OTHER_REGION}:{ACCOUNT}:alias/app", REGION).uid == key_arn(
        "cmk-eu", OTHER_REGION
    )


def test_bare_key_id_resolves_in_the_given_region_only(inventory):
    assert inventory.key("cmk", REGION).uid == key_arn("cmk")
    assert inventory.key("cmk", OTHER_REGION) is None


def test_bare_key_id_resolves_outside_the_aws_partition():
    gov_key = make_key("gov")
    gov_key = type(gov_key)(
        uid=f"arn:aws-us-gov:kms:{REGION}:{ACCOUNT}:key/gov",
        type="kms.key",
        region=REGION,
        name="gov",
        evidence=gov_key.evidence,
    )
    assert make_inventory(gov_key).key("gov", REGION) is not None


def test_unknown_references_resolve_to_none(inventory):
    assert inventory.key(None, REGION) is None
    assert inventory.key(key_arn("cmk", account=OTHER_ACCOUNT), REGION) is None


def test_key_arn_prefers_the_collected_keys_arn(inventory):
    assert inventory.key_arn("alias/app", REGION) == key_arn("cmk")
    assert inventory.key_arn("alias/nobody", REGION) == "alias/nobody"


def test_key_account_reads_the_arn_and_defaults_to_this_account(inventory):
    assert inventory.key_account(key_arn("x", account=OTHER_ACCOUNT)) == OTHER_ACCOUNT
    assert inventory.key_account("alias/app") == ACCOUNT


def test_kms_collected_is_false_only_for_a_listing_gap_in_that_region():
    errors = [
        CollectionError("kms", OTHER_REGION, "kms:ListKeys", "AccessDenied", "no"),
        CollectionError("kms", REGION, "kms:GetKeyPolicy", "AccessDenied", "no", resource_uid=key_arn("a")),
    ]
    inventory = make_inventory(errors=errors, regions=(REGION, OTHER_REGION))
    assert inventory.kms_collected(REGION) is True
    assert inventory.kms_collected(OTHER_REGION) is False


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ({"key_manager": "AWS", "aliases": []}, True),
        ({"key_manager": "CUSTOMER", "aliases": ["alias/aws/rds"]}, True),
        ({"key_manager": "CUSTOMER", "aliases": ["alias/app", "alias/awsome"]}, False),
        ({"key_manager": None}, False),
    ],
)
def test_is_aws_managed_key(evidence, expected):
    assert is_aws_managed_key(evidence) is expected


# --- tag rows (collectors/tagging.py) ------------------------------------------------------------------------------


def tag_row(uid, region=REGION, **tags):
    return Record(uid=uid, type=TAG_ROW, region=region, name="", tags=tags)


def test_tag_rows_add_tags_to_the_record_of_their_arn_whatever_the_order():
    queue = make_record("sqs.queue", name="jobs", tags={"Name": "jobs"}, encrypted=True)
    inventory = make_inventory(tag_row(queue.uid, owner="ops"), queue)
    [merged] = inventory.by_type("sqs.queue")
    assert (merged.name, merged.evidence, merged.tags) == (
        "jobs",
        {"encrypted": True},
        {"Name": "jobs", "owner": "ops"},
    )


def test_a_tag_row_without_a_record_makes_nothing():
    inventory = make_inventory(tag_row("arn:aws:sqs:us-east-1:111111111111:unlisted", owner="ops"))
    assert {record.type for record in inventory.records} == {"account", "region"}
    assert inventory.get("arn:aws:sqs:us-east-1:111111111111:unlisted") is None


@pytest.mark.parametrize(
    ("record_account", "row_account"),
    [(ACCOUNT, ""), ("", ACCOUNT), (ACCOUNT, ACCOUNT)],
    ids=["aws-spelling-in-the-row", "aws-spelling-in-the-record", "same-spelling"],
)
def test_a_snapshots_tags_join_whether_or_not_its_arn_names_the_account(record_account, row_account):
    # AWS writes snapshot ARNs without the account (arn:aws:ec2:REGION::snapshot/ID); moto's tagging API with it.
    snapshot = Record(f"arn:aws:ec2:{REGION}:{record_account}:snapshot/snap-1", "ec2.snapshot", REGION, "snap-1")
    inventory = make_inventory(snapshot, tag_row(f"arn:aws:ec2:{REGION}:{row_account}:snapshot/snap-1", owner="ops"))
    [merged] = inventory.by_type("ec2.snapshot")
    assert (merged.uid, merged.tags) == (snapshot.uid, {"owner": "ops"})


def test_only_snapshots_join_without_the_account_and_never_across_regions_or_ids():
    volume = Record(f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-1", "ec2.volume", REGION, "vol-1")
    snapshot = Record(f"arn:aws:ec2:{REGION}:{ACCOUNT}:snapshot/snap-1", "ec2.snapshot", REGION, "snap-1")
    inventory = make_inventory(
        volume,
        snapshot,
        tag_row(f"arn:aws:ec2:{REGION}::volume/vol-1", owner="ops"),
        tag_row(f"arn:aws:ec2:{OTHER_REGION}::snapshot/snap-1", owner="ops"),
        tag_row(f"arn:aws:ec2:{REGION}::snapshot/snap-2", owner="ops"),
        regions=(REGION, OTHER_REGION),
    )
    assert [(record.uid, record.tags) for record in inventory.records if record.type.startswith("ec2.")] == [
        (volume.uid, {}),
        (snapshot.uid, {}),
    ]
