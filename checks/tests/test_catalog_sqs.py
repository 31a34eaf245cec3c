"""sqs.queue_encrypted: SSE-SQS (AWS-owned key) or SSE-KMS, never conflated; sqs.queue_policy_not_public."""

import json

from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE, open_statements
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


# ---- sqs.queue_policy_not_public ------------------------------------------------------------------------------

POLICY_CHECK = "sqs.queue_policy_not_public"


def queue_with_policy(*statements, read=True):
    """A queue whose Policy attribute holds `statements` (kept as the collector keeps it: the open part only)."""
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)}) if statements else None
    return make_record("sqs.queue", name="orders", **{POLICY_EVIDENCE: open_statements(document) if read else None})


def anyone_may(action, condition=None, sid="Anyone"):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action, "Resource": "*"}
    return {**statement, "Condition": condition} if condition else statement


def test_queue_open_to_everyone_fails_naming_statement_and_actions():
    result = run_check(POLICY_CHECK, queue_with_policy(anyone_may(["sqs:ReceiveMessage", "sqs:SendMessage"])))
    assert result.status == Status.FAIL
    assert result.reason == (
        "Queue policy statement(s) Anyone allow any principal sqs:ReceiveMessage, sqs:SendMessage "
        "with no narrowing condition."
    )


def test_queue_open_only_to_its_topic_passes():
    # The documented SNS-to-SQS subscription policy: Principal "*" narrowed by the topic's ARN.
    topic = "arn:aws:sns:us-east-1:111111111111:orders"
    narrowed = anyone_may("sqs:SendMessage", {"ArnEquals": {"aws:SourceArn": topic}})
    result = run_check(POLICY_CHECK, queue_with_policy(narrowed))
    assert result.status == Status.PASS
    assert "narrowed by conditions" in result.reason


def test_queue_without_a_policy_passes_and_an_unread_policy_is_an_error():
    assert run_check(POLICY_CHECK, queue_with_policy()).status == Status.PASS
    assert run_check(POLICY_CHECK, queue_with_policy(read=False)).status == Status.ERROR


def test_queue_open_to_a_wildcard_of_source_arns_is_public():
    # arn:aws:sns:*:*:* names no account: any account's topic may send.
    wide = anyone_may("sqs:SendMessage", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}})
    assert run_check(POLICY_CHECK, queue_with_policy(wide)).status == Status.FAIL
