"""Encryption at rest for SQS queues: SSE-SQS (AWS-owned key) or SSE-KMS."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "sqs.queue_encrypted",
    title="SQS queue is encrypted (SSE-SQS or SSE-KMS)",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="sqs.queue",
    needs=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    rationale=f"{GUIDANCE} SQS encrypts new queues with SSE-SQS by default; a queue where it was turned off "
    "and no KMS key is set keeps its messages without server-side encryption.",
    remediation="Console: SQS › Queues › the queue › Edit › Encryption: enable server-side encryption with an "
    "SSE-KMS customer-managed key (or at least SSE-SQS). CLI: aws sqs set-queue-attributes --queue-url URL "
    "--attributes KmsMasterKeyId=KEY_ARN",
)
def queue_encrypted(queue, inventory):
    encrypted = queue.evidence.get("encrypted")
    if encrypted is None:
        return errored("The attributes of this queue were not collected.")
    key = queue.key_arn
    # A KMS key wins over SSE-SQS: AWS accepts only one, and moto reports SSE-SQS beside a key.
    if key:
        owner = inventory.key_owner(key, queue.region)
        return passed(f"Queue uses SSE-KMS with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
    if queue.evidence.get("sqs_managed_sse"):
        return passed("Queue uses SSE-SQS (an AWS-owned key).", key_owner=KeyOwner.AWS_OWNED)
    return failed(
        "Queue has neither SSE-SQS nor SSE-KMS: messages are stored unencrypted.", key_owner=KeyOwner.UNENCRYPTED
    )
