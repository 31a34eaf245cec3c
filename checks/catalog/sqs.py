"""SQS queues: encryption at rest (SSE-SQS with an AWS-owned key, or SSE-KMS) and a queue policy open to no one."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed
from checks.catalog.policies import ACCESS_GUIDANCE, PUBLIC_RULE, policy_verdict

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


@check(
    "sqs.queue_policy_not_public",
    title="Queue policy does not open the queue to everyone",
    area=Area.ACCESS,
    severity=Severity.HIGH,
    resource_type="sqs.queue",
    needs=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    rationale=f'{ACCESS_GUIDANCE} A queue policy statement that allows Principal "*" with no condition fixing the '
    "accounts, organisation, network or source it serves (aws:SourceArn of the topic or bucket that sends to it, "
    f"aws:PrincipalOrgID, aws:SourceVpce …) lets anyone send, read or delete its messages. {PUBLIC_RULE}",
    remediation="Console: SQS › Queues › the queue › Access policy › Edit: name the principals, or add a condition "
    "such as aws:SourceArn (the SNS topic or S3 bucket that sends to the queue) or aws:PrincipalOrgID. "
    "CLI: aws sqs set-queue-attributes --queue-url URL --attributes file://policy.json "
    '(with {"Policy": "<the narrowed policy as a JSON string>"})',
)
def queue_policy_not_public(queue, inventory):
    return policy_verdict(queue, "Queue policy")
