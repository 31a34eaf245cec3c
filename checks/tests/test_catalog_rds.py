"""rds.instance_storage_encrypted: storage encrypted, with whose key."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import make_inventory, make_key, make_record, run_check

CHECK = "rds.instance_storage_encrypted"


def instance(encrypted=True, key_arn=None):
    return make_record("rds.db_instance", name="orders", key_arn=key_arn, encrypted=encrypted, engine="postgres")


def test_instance_encrypted_with_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, instance(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_instance_encrypted_with_aws_rds_key_is_aws_managed():
    key = make_key("rds-default", manager="AWS", aliases=["alias/aws/rds"])
    result = run_check(CHECK, instance(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_unencrypted_instance_fails():
    result = run_check(CHECK, instance(encrypted=False))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_encrypted_instance_whose_key_was_not_collected_is_unknown():
    result = run_check(CHECK, instance(key_arn="arn:aws:kms:us-east-1:111111111111:key/gone"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.UNKNOWN


def test_listing_gap_makes_the_region_an_error():
    gap = CollectionError("rds", "us-east-1", "rds:DescribeDBInstances", "AccessDenied", "denied")
    [evaluation] = evaluate_check(CATALOG[CHECK], make_inventory(errors=[gap]))
    assert evaluation.result.status == Status.ERROR
    assert evaluation.record.type == "region"
