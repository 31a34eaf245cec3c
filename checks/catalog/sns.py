"""Encryption at rest for SNS topics."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "sns.topic_encrypted",
    title="SNS topic is encrypted with KMS",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="sns.topic",
    needs=("sns:ListTopics", "sns:GetTopicAttributes"),
    rationale=f"{GUIDANCE} SNS encrypts stored messages with KMS only when the topic names a key; without one, "
    "messages (often carrying personal or operational data) wait for delivery without server-side encryption.",
    remediation="Console: SNS › Topics › the topic › Edit › Encryption: enable and choose a customer-managed key "
    "(grant the publishing services kms:GenerateDataKey and kms:Decrypt). CLI: aws sns set-topic-attributes "
    "--topic-arn TOPIC_ARN --attribute-name KmsMasterKeyId --attribute-value KEY_ARN",
)
def topic_encrypted(topic, inventory):
    encrypted = topic.evidence.get("encrypted")
    if encrypted is None:
        return errored("The attributes of this topic were not collected.")
    key = topic.key_arn
    if not encrypted or not key:
        return failed(
            "Topic has no KMS key: messages are stored without server-side encryption.", key_owner=KeyOwner.UNENCRYPTED
        )
    owner = inventory.key_owner(key, topic.region)
    return passed(f"Topic is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
