"""logs checks: KMS key on log groups, and retention at least the configured minimum."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import OTHER_ACCOUNT, make_key, make_record, run_check


def group(key_arn=None, retention_in_days=None):
    return make_record(
        "logs.log_group", name="/app/audit", key_arn=key_arn, encrypted=True, retention_in_days=retention_in_days
    )


def test_log_group_with_customer_key_passes():
    key = make_key("k1")
    result = run_check("logs.log_group_kms_encrypted", group(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_log_group_without_key_fails_as_aws_owned_not_unencrypted():
    result = run_check("logs.log_group_kms_encrypted", group())
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_OWNED


def test_log_group_with_another_accounts_key_passes_as_external():
    result = run_check(
        "logs.log_group_kms_encrypted", group(key_arn=f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/central-logs")
    )
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL


@pytest.mark.parametrize(
    ("days", "status"),
    [(None, Status.PASS), (3653, Status.PASS), (365, Status.PASS), (180, Status.FAIL), (1, Status.FAIL)],
)
def test_retention_against_the_default_minimum(days, status):
    result = run_check("logs.log_group_retention_adequate", group(retention_in_days=days))
    assert result.status == status


def test_retention_minimum_comes_from_the_inventory():
    record = group(retention_in_days=90)
    assert run_check("logs.log_group_retention_adequate", record, log_retention_min_days=30).status == Status.PASS
    result = run_check("logs.log_group_retention_adequate", record, log_retention_min_days=400)
    assert result.status == Status.FAIL
    assert result.reason == "Log group keeps logs for only 90 days; the minimum is 400."


def test_never_expiring_group_says_so():
    result = run_check("logs.log_group_retention_adequate", group())
    assert result.reason == "Log group never expires its logs."


def test_group_without_retention_evidence_is_an_error_not_a_pass():
    record = make_record("logs.log_group", name="/app/x", encrypted=True)
    assert run_check("logs.log_group_retention_adequate", record).status == Status.ERROR
