"""dynamodb.table_customer_managed_key: AWS-owned and AWS-managed fail, customer-managed passes."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "dynamodb.table_customer_managed_key"


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


def test_table_with_another_accounts_key_passes_as_external():
    result = run_check(CHECK, table(key_arn=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL
    assert "another account" in result.reason


def test_table_whose_key_could_not_be_described_is_an_error():
    result = run_check(CHECK, table(key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/missing"))
    assert result.status == Status.ERROR
    assert result.key_owner == KeyOwner.UNKNOWN
