"""SQS collector against the moto server: queues with SSE-SQS, SSE-KMS or nothing, and their access policy."""

import json

from checks.collectors import sqs
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, sqs.collect(ctx, region)


def queues(collected):
    return {record.name: record for record in collected.records}


def test_queues_record_sse_sqs_kms_key_or_nothing(aws):
    client = aws.client("sqs")
    client.create_queue(QueueName="owned")  # SSE-SQS is on by default for new queues
    client.create_queue(QueueName="managed", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    client.create_queue(QueueName="plain", Attributes={"SqsManagedSseEnabled": "false"})
    ctx, collected = scan(aws)
    found = queues(collected)
    assert found["owned"].uid == f"arn:aws:sqs:us-east-1:{aws.account_id}:owned"
    assert found["owned"].type == "sqs.queue"
    assert found["owned"].evidence == {"encrypted": True, "sqs_managed_sse": True, "policy_public_statements": []}
    assert found["owned"].key_arn is None
    assert found["managed"].evidence["encrypted"] is True
    assert found["managed"].key_arn == "alias/aws/sqs"
    assert found["plain"].evidence == {"encrypted": False, "sqs_managed_sse": False, "policy_public_statements": []}
    assert found["plain"].key_arn is None
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_queues_are_read_across_pages(aws):
    client = aws.client("sqs", "eu-west-1")
    for number in range(5):
        client.create_queue(QueueName=f"queue-{number}")
    aws.session.events.register(
        "provide-client-params.sqs.ListQueues", lambda params, **kwargs: params.update(MaxResults=2)
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(queues(collected)) == [f"queue-{number}" for number in range(5)]
    assert all(record.region == "eu-west-1" for record in collected.records)
    assert len([key for key in ctx.call_log.calls if key[2] == "ListQueues"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_attributes_are_per_queue_errors_and_queues_stay_listed(aws):
    deny(aws.session, "sqs", "GetQueueAttributes")
    client = aws.client("sqs")
    for name in ("a", "b"):
        client.create_queue(QueueName=name)
    ctx, collected = scan(aws)
    arns = {f"arn:aws:sqs:us-east-1:{aws.account_id}:{name}" for name in ("a", "b")}
    assert {error.resource_uid for error in collected.errors} == arns
    assert {error.api for error in collected.errors} == {"sqs:GetQueueAttributes"}
    assert {record.uid for record in collected.records} == arns
    assert all("encrypted" not in record.evidence for record in collected.records)
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "sqs", "ListQueues")
    aws.client("sqs").create_queue(QueueName="hidden")
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == (
        "sqs:ListQueues",
        "AccessDenied",
        "",
        "us-east-1",
    )
    assert collected.records == []
    assert ctx.call_log.repeated() == {}


def test_queue_policy_is_read_in_the_same_attributes_call_and_only_its_open_part_kept(aws):
    client = aws.client("sqs")
    topic = f"arn:aws:sns:us-east-1:{aws.account_id}:orders"
    statements = [
        {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"},
        {
            "Sid": "FromTopic",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
        },
    ]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    client.create_queue(QueueName="open", Attributes={"Policy": policy})

    ctx, collected = scan(aws)

    [queue] = collected.records
    assert queue.evidence["policy_public_statements"] == [
        {"sid": "Anyone", "actions": ["sqs:SendMessage"], "condition": {}}
    ]
    assert sorted(key[2] for key in ctx.call_log.calls) == ["GetQueueAttributes", "ListQueues"]
    assert collected.errors == []


def test_malformed_queue_policy_is_an_error_on_that_queue(aws):
    aws.client("sqs").create_queue(QueueName="odd")

    def garble(parsed, **kwargs):
        parsed["Attributes"]["Policy"] = '{"Statement": ["not a statement"]}'

    aws.session.events.register("after-call.sqs.GetQueueAttributes", garble)
    _, collected = scan(aws)

    [error] = collected.errors
    assert (error.api, error.code) == ("sqs:GetQueueAttributes", "MalformedResponse")
    [queue] = collected.records
    assert queue.evidence["policy_public_statements"] is None
    assert queue.evidence["encrypted"] is True  # what was read is kept
