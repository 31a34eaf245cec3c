"""Kinesis Data Streams: streams and their server-side encryption (none, or KMS with whose key)."""

from checks.collectors.base import Collected
from checks.inventory import Record

SERVICE = "kinesis"
SCOPE = "regional"
IAM_ACTIONS = {"ListStreams": "kinesis:ListStreams", "DescribeStreamSummary": "kinesis:DescribeStreamSummary"}
# Tags are not read here: they come from the Resource Groups Tagging API, matched by the stream's ARN.


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    kinesis = ctx.client(SERVICE, region)
    streams = {}
    with collected.capture(api="kinesis:ListStreams"):
        streams = listed_streams(kinesis, ctx.account_id, region)
    for name, arn in streams.items():
        summary = None
        with collected.capture(resource_uid=arn, api="kinesis:DescribeStreamSummary"):
            summary = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
        # A stream whose summary failed is still listed, so its check shows ERROR rather than vanish.
        collected.add(stream_record(arn, region, name, summary))
    return collected


def listed_streams(kinesis, account_id, region):
    """{name: ARN} over every page; the ARN from StreamSummaries, built from the name where a page has none."""
    streams, params = {}, {}
    while True:
        page = kinesis.list_streams(**params)
        arns = {summary["StreamName"]: summary["StreamARN"] for summary in page.get("StreamSummaries", [])}
        names = page.get("StreamNames", [])
        for name in names:
            streams[name] = arns.get(name) or f"arn:aws:kinesis:{region}:{account_id}:stream/{name}"
        if not page.get("HasMoreStreams") or not names:
            return streams
        # AWS pages with NextToken; servers that answer only the older ExclusiveStartStreamName (moto) send
        # none, and botocore's paginator would then stop after the first page without a word.
        token = page.get("NextToken")
        params = {"NextToken": token} if token else {"ExclusiveStartStreamName": names[-1]}


def stream_record(arn, region, name, summary):
    if summary is None:
        return Record(uid=arn, type="kinesis.stream", region=region, name=name)
    encrypted = summary.get("EncryptionType") == "KMS"
    return Record(
        uid=summary.get("StreamARN") or arn,
        type="kinesis.stream",
        region=region,
        name=name,
        evidence={
            "encrypted": encrypted,
            "encryption_type": summary.get("EncryptionType"),
            "status": summary.get("StreamStatus"),
        },
        # KeyId is a key ARN, key id, alias name or alias ARN; alias/aws/kinesis is the AWS-managed key.
        key_arn=(summary.get("KeyId") or None) if encrypted else None,
    )
