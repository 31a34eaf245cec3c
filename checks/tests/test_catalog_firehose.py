"""firehose.delivery_stream_encrypted: only ENABLED encrypts; non-Direct-PUT streams hold no records."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "firehose.delivery_stream_encrypted"
SOURCE = f"arn:aws:kinesis:{REGION}:111111111111:stream/clicks"


def stream(status="ENABLED", key_type="AWS_OWNED_CMK", key_arn=None, source="DirectPut"):
    evidence = {"source": source, "source_arn": None if source == "DirectPut" else SOURCE}
    if source == "DirectPut":
        evidence.update(encrypted=status == "ENABLED", sse_status=status, key_type=key_type)
    return make_record("firehose.delivery_stream", name="to-lake", key_arn=key_arn, **evidence)


def test_aws_owned_key_passes_as_aws_owned():
    result = run_check(CHECK, stream())
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_OWNED)


def test_customer_managed_key_passes_as_customer_managed():
    key = make_key("lake-key")
    result = run_check(CHECK, stream(key_type="CUSTOMER_MANAGED_CMK", key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_another_accounts_key_is_external():
    key_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/lake"
    result = run_check(CHECK, stream(key_type="CUSTOMER_MANAGED_CMK", key_arn=key_arn))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


@pytest.mark.parametrize("status", ["DISABLED", "ENABLING", "ENABLING_FAILED", "DISABLING"])
def test_sse_not_enabled_fails_unencrypted_naming_the_status(status):
    result = run_check(CHECK, stream(status=status))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)
    assert status in result.reason


@pytest.mark.parametrize("source", ["KinesisStreamAsSource", "MSKAsSource"])
def test_stream_reading_from_another_store_is_not_applicable(source):
    result = run_check(CHECK, stream(source=source))
    assert result.status == Status.NOT_APPLICABLE
    assert SOURCE in result.reason and source in result.reason


def test_stream_whose_description_failed_is_an_error():
    assert run_check(CHECK, make_record("firehose.delivery_stream", name="to-lake")).status == Status.ERROR
