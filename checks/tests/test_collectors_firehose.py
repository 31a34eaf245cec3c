"""Firehose collector against the moto server: Direct PUT streams with SSE off, on with the AWS-owned key or
with a customer key; a stream reading from Kinesis (not applicable); pages by the last name seen."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import firehose
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW
from checks.tests.stubbed import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
CHECK = "firehose.delivery_stream_encrypted"


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, firehose.collect(ctx, region)


def destination(aws):
    return {"RoleARN": f"arn:aws:iam::{aws.account_id}:role/firehose", "BucketARN": "arn:aws:s3:::lake"}


def create(aws, name, encryption=None, region="us-east-1", **options):
    client = aws.client("firehose", region)
    client.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination(aws), **options
    )
    if encryption:
        # moto keeps the configuration given to CreateDeliveryStream without a Status; Start… sets ENABLED.
        client.start_delivery_stream_encryption(
            DeliveryStreamName=name, DeliveryStreamEncryptionConfigurationInput=encryption
        )


def test_streams_record_source_sse_status_and_key(aws):
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create(aws, "plain")
    create(aws, "owned", {"KeyType": "AWS_OWNED_CMK"})
    create(aws, "own-key", {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": key})
    source = aws.client("kinesis")
    source.create_stream(StreamName="clicks", ShardCount=1)
    source_arn = f"arn:aws:kinesis:us-east-1:{aws.account_id}:stream/clicks"
    create(
        aws,
        "from-kinesis",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": source_arn, "RoleARN": destination(aws)["RoleARN"]},
    )
    ctx, collected = scan(aws)
    assert collected.errors == []
    streams = {record.name: record for record in collected.records}
    assert streams["plain"].uid == f"arn:aws:firehose:us-east-1:{aws.account_id}:deliverystream/plain"
    assert streams["plain"].type == "firehose.delivery_stream"
    assert streams["plain"].evidence["encrypted"] is False
    assert streams["plain"].evidence["sse_status"] == "DISABLED"
    assert (streams["owned"].evidence["encrypted"], streams["owned"].key_arn) == (True, None)
    assert (streams["own-key"].evidence["encrypted"], streams["own-key"].key_arn) == (True, key)
    assert streams["from-kinesis"].evidence["source"] == "KinesisStreamAsSource"
    assert "encrypted" not in streams["from-kinesis"].evidence
    assert ctx.call_log.repeated() == {}

    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, [])
    verdicts = {e.record.name: (e.result.status, e.result.key_owner) for e in evaluate_check(CATALOG[CHECK], inventory)}
    assert verdicts["plain"] == (Status.FAIL, KeyOwner.UNENCRYPTED)
    assert verdicts["owned"] == (Status.PASS, KeyOwner.AWS_OWNED)
    assert verdicts["from-kinesis"] == (Status.NOT_APPLICABLE, None)


def test_streams_are_read_across_pages(aws):
    names = [f"stream-{number}" for number in range(5)]
    for name in names:
        create(aws, name, region="eu-west-1")
    aws.session.events.register(
        "provide-client-params.firehose.ListDeliveryStreams", lambda params, **kwargs: params.update(Limit=2)
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(record.name for record in collected.records) == names
    assert len([call for call in ctx.call_log.calls if call[2] == "ListDeliveryStreams"]) == 3
    assert ctx.call_log.repeated() == {}


def aws_description(name, **options):
    return {
        "DeliveryStreamName": name,
        "DeliveryStreamARN": f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/{name}",
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamType": "DirectPut",
        "VersionId": "1",
        "Destinations": [],
        "HasMoreDestinations": False,
        **options,
    }


def test_sse_still_enabling_is_not_encrypted_as_aws_reports_it():
    # moto never reports the intermediate states; AWS writes records unencrypted while SSE is ENABLING.
    encryption = {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLING"}
    with stubbed("firehose") as (ctx, stubber):
        stubber.add_response("list_delivery_streams", {"DeliveryStreamNames": ["new"], "HasMoreDeliveryStreams": False})
        stubber.add_response(
            "describe_delivery_stream",
            {"DeliveryStreamDescription": aws_description("new", DeliveryStreamEncryptionConfiguration=encryption)},
            {"DeliveryStreamName": "new"},
        )
        collected = firehose.collect(ctx, "us-east-1")
    [record] = collected.records
    assert (record.evidence["encrypted"], record.evidence["sse_status"]) == (False, "ENABLING")


def test_denied_describe_is_a_per_stream_error_and_the_stream_stays_listed(aws):
    deny(aws.session, "firehose", "DescribeDeliveryStream")
    create(aws, "orders")
    _ctx, collected = scan(aws)
    [record] = collected.records
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("firehose:DescribeDeliveryStream", record.uid)
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    [evaluation] = evaluate_check(CATALOG[CHECK], inventory)
    assert evaluation.result.status == Status.ERROR


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "firehose", "ListDeliveryStreams")
    create(aws, "hidden")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("firehose:ListDeliveryStreams", "AccessDenied", "")
    assert collected.records == []
