"""Amazon Data Firehose delivery streams: server-side encryption of the records they hold."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, not_applicable, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
DIRECT_PUT = "DirectPut"


@check(
    "firehose.delivery_stream_encrypted",
    title="Firehose stream encrypts the records it holds",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="firehose.delivery_stream",
    needs=("firehose:ListDeliveryStreams", "firehose:DescribeDeliveryStream"),
    rationale=f"{GUIDANCE} A Direct PUT stream buffers records before delivering them; without server-side "
    "encryption they wait unencrypted. Firehose encrypts them only while SSE is ENABLED, with an AWS-owned key or "
    "a customer-managed one. A stream reading from a Kinesis data stream, an MSK cluster or a database keeps no "
    "records of its own: its source's encryption protects them (not applicable here).",
    remediation="Console: Amazon Data Firehose › the stream › Configuration › Server-side encryption › Edit: "
    "enable it with a customer-managed key (or the AWS-owned key). CLI: aws firehose "
    "start-delivery-stream-encryption --delivery-stream-name STREAM "
    "--delivery-stream-encryption-configuration-input KeyType=CUSTOMER_MANAGED_CMK,KeyARN=KEY_ARN",
)
def delivery_stream_encrypted(stream, inventory):
    evidence = stream.evidence
    source = evidence.get("source")
    if source is None:
        return errored("The configuration of this stream was not collected.")
    if source != DIRECT_PUT:
        origin = evidence.get("source_arn") or "its source"
        return not_applicable(f"Stream reads from {origin} ({source}): the records rest there, not in Firehose.")
    if not evidence.get("encrypted"):
        status = evidence.get("sse_status")
        return failed(f"Server-side encryption is {status}: buffered records are unencrypted.", KeyOwner.UNENCRYPTED)
    key = stream.key_arn
    if not key:
        return passed("Server-side encryption is on with an AWS-owned key.", key_owner=KeyOwner.AWS_OWNED)
    owner = inventory.key_owner(key, stream.region)
    return passed(f"Server-side encryption is on with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
