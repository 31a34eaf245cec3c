"""dynamodb.table_customer_managed_key: AWS-owned and AWS-managed fail, customer-managed passes."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "dynamodb.table_customer_managed_key"
EXTERNAL_KEY = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"


def table(key_arn=None):
    return make_record(
        "dynamodb.table", name="orders", key_arn=key_arn, encrypted=True, sse_type="KMS" if key_arn else None
    )


def test_default_table_fails_as_aws_owned():
    result = run_check(CHECK, table())
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_OWNED


def test_table_with_aws_dynamodb_key_fails_as_aws_managed():
    # moto creates aws/dynamodb with KeyManager CUSTOMER: the alias makes it AWS-managed.
    key = make_key("ddb-default", manager="CUSTOMER", aliases=["alias/aws/dynamodb"])
    result = run_check(CHECK, table(key_arn=key.uid), key)
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_table_with_customer_managed_key_passes():
    key = make_key("k1", aliases=["alias/orders"])
    result = run_check(CHECK, table(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_table_with_another_accounts_key_passes_whether_or_not_that_account_is_trusted(trusted):
    result = run_check(CHECK, table(key_arn=EXTERNAL_KEY), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert OTHER_ACCOUNT in result.reason
    assert "kms.external_account_key" in result.reason


def test_untrusted_accounts_key_fails_once_in_kms_external_account_key_only():
    record = table(key_arn=EXTERNAL_KEY)
    assert run_check(CHECK, record).status == Status.PASS
    assert run_check("kms.external_account_key", record).status == Status.FAIL


def test_table_whose_key_could_not_be_described_is_an_error():
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/missing"
    result = run_check(CHECK, table(key_arn=key_arn))
    assert result.status == Status.ERROR
    assert result.key_owner == KeyOwner.UNKNOWN
    assert result.reason == (
        f"Table uses {key_arn}, a key this scan could not describe: {key_arn} is not among this account's "
        f"KMS keys listed in {REGION} (deleted, or never there)."
    )


def test_table_whose_key_was_listed_but_not_described_is_an_error_naming_the_refusal():
    key = make_key("k1", manager=None)
    denied = CollectionError("kms", REGION, "kms:DescribeKey", "AccessDeniedException", "no", key.uid)
    result = run_check(CHECK, table(key_arn=key.uid), key, errors=[denied])
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert f"kms:DescribeKey failed on {key.uid} (AccessDeniedException)" in result.reason
