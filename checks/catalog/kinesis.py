"""Kinesis Data Streams: server-side encryption with a KMS key."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "kinesis.stream_encrypted",
    title="Kinesis data stream is encrypted with KMS",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="kinesis.stream",
    needs=("kinesis:ListStreams", "kinesis:DescribeStreamSummary"),
    rationale=f"{GUIDANCE} Kinesis Data Streams encrypts records at rest only when server-side encryption is "
    "started with a KMS key (the AWS-managed aws/kinesis key or your own); a stream with encryption type NONE "
    "keeps every record in its retention window unencrypted.",
    remediation="Console: Kinesis › Data streams › the stream › Configuration › Encryption › Edit: enable "
    "server-side encryption with a customer-managed key (or aws/kinesis). CLI: aws kinesis "
    "start-stream-encryption --stream-name STREAM --encryption-type KMS --key-id KEY_ARN",
)
def stream_encrypted(stream, inventory):
    encrypted = stream.evidence.get("encrypted")
    if encrypted is None:
        return errored("The encryption of this stream was not collected.")
    key = stream.key_arn
    if not encrypted or not key:
        return failed("Stream has no server-side encryption: records are stored unencrypted.", KeyOwner.UNENCRYPTED)
    owner = inventory.key_owner(key, stream.region)
    return passed(f"Stream is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
