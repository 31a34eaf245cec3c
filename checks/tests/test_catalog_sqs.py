"""sqs.queue_encrypted: SSE-SQS (AWS-owned key) or SSE-KMS, never conflated."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import make_key, make_record, run_check

CHECK = "sqs.queue_encrypted"


def queue(sqs_managed_sse=False, key_arn=None):
    return make_record(
        "sqs.queue",
        name="orders",
        key_arn=key_arn,
        sqs_managed_sse=sqs_managed_sse,
        encrypted=sqs_managed_sse or bool(key_arn),
    )


def test_sse_sqs_queue_passes_with_an_aws_owned_key():
    result = run_check(CHECK, queue(sqs_managed_sse=True))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_OWNED


def test_queue_with_aws_sqs_alias_is_aws_managed_not_aws_owned():
    result = run_check(CHECK, queue(key_arn="alias/aws/sqs"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_queue_with_customer_key_id_passes_as_customer_managed():
    key = make_key("1234abcd-12ab-34cd-56ef-1234567890ab")
    result = run_check(CHECK, queue(key_arn="1234abcd-12ab-34cd-56ef-1234567890ab"), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_kms_key_wins_when_sse_sqs_is_also_reported():
    # moto reports SqsManagedSseEnabled beside a KMS key; AWS allows only one. The key is what encrypts.
    result = run_check(CHECK, queue(sqs_managed_sse=True, key_arn="alias/aws/sqs"))
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_unencrypted_queue_fails():
    result = run_check(CHECK, queue())
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED
