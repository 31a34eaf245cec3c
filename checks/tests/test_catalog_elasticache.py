"""ElastiCache replication groups: encryption at rest (whose key) and in transit ('preferred' is not enough)."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import OTHER_ACCOUNT, REGION, make_key, make_record, run_check

AT_REST = "elasticache.replication_group_at_rest_encrypted"
IN_TRANSIT = "elasticache.replication_group_in_transit_encrypted"


def group(encrypted=True, key_arn=None, transit=True, mode="required"):
    return make_record(
        "elasticache.replication_group",
        name="sessions",
        key_arn=key_arn,
        encrypted=encrypted,
        transit_encryption=transit,
        transit_encryption_mode=mode,
    )


def test_group_without_at_rest_encryption_fails_unencrypted():
    result = run_check(AT_REST, group(encrypted=False))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_group_with_the_default_key_passes_as_aws_owned():
    result = run_check(AT_REST, group())
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_OWNED)
    assert "default key" in result.reason


def test_group_with_its_own_key_passes_as_customer_managed():
    key = make_key("cache-key", aliases=["alias/cache"])
    result = run_check(AT_REST, group(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)
    assert key.uid in result.reason


def test_group_with_another_accounts_key_passes_as_external():
    key_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"
    result = run_check(AT_REST, group(key_arn=key_arn))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_group_whose_encryption_was_not_collected_is_an_error():
    record = make_record("elasticache.replication_group", name="sessions")
    assert run_check(AT_REST, record).status == Status.ERROR
    assert run_check(IN_TRANSIT, record).status == Status.ERROR


def test_required_transit_encryption_passes():
    result = run_check(IN_TRANSIT, group(mode="required"))
    assert result.status == Status.PASS
    assert "'required'" in result.reason


def test_preferred_mode_fails_because_plain_connections_are_still_accepted():
    result = run_check(IN_TRANSIT, group(mode="preferred"))
    assert result.status == Status.FAIL
    assert "'preferred'" in result.reason and "unencrypted connections" in result.reason


def test_transit_encryption_without_a_reported_mode_is_tls_only_and_passes():
    # Groups that cannot run the migration mode report none: with encryption on, TLS is required.
    assert run_check(IN_TRANSIT, group(mode=None)).status == Status.PASS


@pytest.mark.parametrize("mode", [None, "required"])
def test_transit_encryption_off_fails_whatever_the_mode(mode):
    result = run_check(IN_TRANSIT, group(transit=False, mode=mode))
    assert result.status == Status.FAIL
    assert "plain text" in result.reason
