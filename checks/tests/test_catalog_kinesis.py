"""kinesis.stream_encrypted: no key means no encryption; the key's owner is reported."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "kinesis.stream_encrypted"


def stream(key_arn=None):
    return make_record(
        "kinesis.stream",
        name="clicks",
        key_arn=key_arn,
        encrypted=bool(key_arn),
        encryption_type="KMS" if key_arn else "NONE",
    )


def test_stream_without_encryption_fails_unencrypted():
    result = run_check(CHECK, stream())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_stream_with_the_aws_kinesis_alias_passes_as_aws_managed():
    result = run_check(CHECK, stream("alias/aws/kinesis"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_stream_with_a_customer_key_id_passes_as_customer_managed():
    key = make_key("1234abcd-12ab-34cd-56ef-1234567890ab")
    result = run_check(CHECK, stream("1234abcd-12ab-34cd-56ef-1234567890ab"), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_stream_with_another_accounts_alias_arn_is_external():
    result = run_check(CHECK, stream(f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:alias/streams"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_stream_with_an_unknown_key_still_passes_but_says_unknown():
    # Encrypted it is (KMS answered the stream's writes); whose key is what could not be read.
    result = run_check(CHECK, stream(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/gone"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.UNKNOWN)


def test_stream_whose_summary_failed_is_an_error():
    assert run_check(CHECK, make_record("kinesis.stream", name="clicks")).status == Status.ERROR
