"""Amazon Data Firehose: delivery streams, their source and their server-side encryption (AWS-owned or
customer-managed key).

ListDeliveryStreams has no botocore paginator: it pages by the last name seen.
"""

from checks.collectors.base import Collected
from checks.inventory import Record

SERVICE = "firehose"
SCOPE = "regional"
IAM_ACTIONS = {
    "ListDeliveryStreams": "firehose:ListDeliveryStreams",
    "DescribeDeliveryStream": "firehose:DescribeDeliveryStream",
}
CUSTOMER_KEY = "CUSTOMER_MANAGED_CMK"
DIRECT_PUT = "DirectPut"
# While SSE is ENABLING records are written unencrypted; after DISABLING it is off. Only ENABLED encrypts.
ENABLED = "ENABLED"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    firehose = ctx.client(SERVICE, region)
    names = []
    with collected.capture(api="firehose:ListDeliveryStreams"):
        names = list(stream_names(firehose))
    for name in names:
        arn = f"arn:aws:firehose:{region}:{ctx.account_id}:deliverystream/{name}"
        description = None
        with collected.capture(resource_uid=arn, api="firehose:DescribeDeliveryStream"):
            description = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        # A stream whose description failed is still listed, so its check shows ERROR rather than vanish.
        collected.add(stream_record(arn, region, name, description))
    return collected


def stream_names(firehose):
    start = None
    while True:
        page = firehose.list_delivery_streams(**({"ExclusiveStartDeliveryStreamName": start} if start else {}))
        names = page.get("DeliveryStreamNames", [])
        yield from names
        if not page.get("HasMoreDeliveryStreams") or not names:
            return
        start = names[-1]


def stream_record(arn, region, name, description):
    if description is None:
        return Record(uid=arn, type="firehose.delivery_stream", region=region, name=name)
    source = description.get("DeliveryStreamType") or DIRECT_PUT
    evidence = {
        "source": source,
        "source_arn": source_arn(description),
        "status": description.get("DeliveryStreamStatus"),
    }
    key_arn = None
    if source == DIRECT_PUT:
        # Only Direct PUT streams keep records at rest in Firehose (and can turn SSE on at all); others read
        # from a Kinesis stream, an MSK cluster or a database, where the records stay.
        encryption = description.get("DeliveryStreamEncryptionConfiguration") or {}
        evidence.update(
            encrypted=encryption.get("Status") == ENABLED,
            sse_status=encryption.get("Status") or "DISABLED",
            key_type=encryption.get("KeyType"),
        )
        if evidence["encrypted"] and encryption.get("KeyType") == CUSTOMER_KEY:
            key_arn = encryption.get("KeyARN") or None
    return Record(
        uid=description.get("DeliveryStreamARN") or arn,
        type="firehose.delivery_stream",
        region=region,
        name=name,
        evidence=evidence,
        key_arn=key_arn,
    )


def source_arn(description):
    source = description.get("Source") or {}
    kinesis = source.get("KinesisStreamSourceDescription") or {}
    msk = source.get("MSKSourceDescription") or {}
    return kinesis.get("KinesisStreamARN") or msk.get("MSKClusterARN")
