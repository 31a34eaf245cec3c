"""Kinesis collector against the moto server: streams with no encryption or KMS (and which key), across pages
whether the server pages with NextToken (AWS) or only with ExclusiveStartStreamName (moto)."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import kinesis
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW
from checks.tests.stubbed import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
CHECK = "kinesis.stream_encrypted"


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, kinesis.collect(ctx, region)


def create(aws, name, key=None, region="us-east-1"):
    client = aws.client("kinesis", region)
    client.create_stream(StreamName=name, ShardCount=1)
    if key:
        client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key)


def test_streams_record_encryption_and_key(aws):
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create(aws, "plain")
    create(aws, "aws-key", "alias/aws/kinesis")
    create(aws, "own-key", key)
    ctx, collected = scan(aws)
    assert collected.errors == []
    streams = {record.name: record for record in collected.records}
    assert streams["plain"].uid == f"arn:aws:kinesis:us-east-1:{aws.account_id}:stream/plain"
    assert streams["plain"].type == "kinesis.stream"
    assert (streams["plain"].evidence["encrypted"], streams["plain"].key_arn) == (False, None)
    assert streams["plain"].evidence["encryption_type"] == "NONE"
    assert (streams["aws-key"].evidence["encrypted"], streams["aws-key"].key_arn) == (True, "alias/aws/kinesis")
    assert streams["own-key"].key_arn == key
    assert ctx.call_log.repeated() == {}

    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, [])
    verdicts = {e.record.name: (e.result.status, e.result.key_owner) for e in evaluate_check(CATALOG[CHECK], inventory)}
    assert verdicts["plain"] == (Status.FAIL, KeyOwner.UNENCRYPTED)
    assert verdicts["aws-key"] == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_streams_are_read_across_pages_on_a_server_that_sends_no_next_token(aws):
    names = [f"stream-{number}" for number in range(5)]
    for name in names:
        create(aws, name, region="eu-west-1")
    aws.session.events.register(
        "provide-client-params.kinesis.ListStreams", lambda params, **kwargs: params.update(Limit=2)
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(record.name for record in collected.records) == names
    assert len([call for call in ctx.call_log.calls if call[2] == "ListStreams"]) == 3
    assert ctx.call_log.repeated() == {}


def test_next_token_pages_as_aws_sends_them():
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/second"
    with stubbed("kinesis") as (ctx, stubber):
        stubber.add_response("list_streams", {"StreamNames": ["first"], "HasMoreStreams": True, "NextToken": "t1"})
        stubber.add_response(
            "list_streams",
            {
                "StreamNames": ["second"],
                "HasMoreStreams": False,
                "StreamSummaries": [
                    {"StreamName": "second", "StreamARN": arn, "StreamStatus": "ACTIVE"},
                ],
            },
            {"NextToken": "t1"},
        )
        for name in ("first", "second"):
            stubber.add_response(
                "describe_stream_summary",
                {"StreamDescriptionSummary": summary(name, "KMS", "alias/aws/kinesis")},
                {"StreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"},
            )
        collected = kinesis.collect(ctx, "us-east-1")
    assert sorted(record.name for record in collected.records) == ["first", "second"]
    assert collected.errors == []


def summary(name, encryption, key=None):
    found = {
        "StreamName": name,
        "StreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}",
        "StreamStatus": "ACTIVE",
        "RetentionPeriodHours": 24,
        "StreamCreationTimestamp": NOW,
        "EnhancedMonitoring": [],
        "EncryptionType": encryption,
        "OpenShardCount": 1,
    }
    return {**found, "KeyId": key} if key else found


def test_denied_summary_is_a_per_stream_error_and_the_stream_stays_listed(aws):
    deny(aws.session, "kinesis", "DescribeStreamSummary")
    create(aws, "orders")
    _ctx, collected = scan(aws)
    [record] = collected.records
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("kinesis:DescribeStreamSummary", record.uid)
    assert "encrypted" not in record.evidence
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    [evaluation] = evaluate_check(CATALOG[CHECK], inventory)
    assert evaluation.result.status == Status.ERROR


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "kinesis", "ListStreams")
    create(aws, "hidden")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("kinesis:ListStreams", "AccessDenied", "")
    assert collected.records == []
