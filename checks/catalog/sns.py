"""SNS: topics encrypted at rest and not open to everyone, and HTTP subscriptions delivered over HTTPS."""

from urllib.parse import urlsplit

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed
from checks.catalog.policies import ACCESS_GUIDANCE, PUBLIC_RULE, policy_verdict

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


@check(
    "sns.topic_policy_not_public",
    title="Topic policy does not open the topic to everyone",
    area=Area.ACCESS,
    severity=Severity.HIGH,
    resource_type="sns.topic",
    needs=("sns:ListTopics", "sns:GetTopicAttributes"),
    rationale=f'{ACCESS_GUIDANCE} A topic policy statement that allows Principal "*" with no condition fixing the '
    "accounts, organisation or source it serves lets anyone publish to the topic or subscribe an endpoint of "
    "their own and receive every message. The policy AWS gives a new topic is not public: it is narrowed by "
    f"AWS:SourceOwner to the topic's own account. {PUBLIC_RULE}",
    remediation="Console: SNS › Topics › the topic › Edit › Access policy: name the principals, or add a condition "
    "such as aws:SourceOwner / aws:SourceAccount (your account), aws:SourceArn or aws:PrincipalOrgID. "
    "CLI: aws sns set-topic-attributes --topic-arn TOPIC_ARN --attribute-name Policy --attribute-value "
    "file://policy.json",
)
def topic_policy_not_public(topic, inventory):
    return policy_verdict(topic, "Topic policy")


GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."


def endpoint_host(subscription):
    """The endpoint's host only: a URL's user info (redacted, but still a name) never enters a reason."""
    urls = subscription.evidence.get("urls") or []
    host = urlsplit(urls[0]).hostname if urls else None
    return f" to {host}" if host else ""


@check(
    "sns.subscription_https",
    title="HTTP endpoint subscriptions use HTTPS",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="sns.subscription",
    needs=("sns:ListSubscriptions",),
    rationale=f"{GUIDANCE_TLS} SNS delivers to an http:// endpoint in plain text: every message (and the "
    "subscription confirmation that lets anyone on the path confirm or unsubscribe it) crosses the network "
    "unencrypted. Subscriptions of other protocols (SQS, Lambda, Firehose, e-mail, SMS, mobile push) have no URL "
    "to judge and are not judged here.",
    remediation="Console: SNS › Subscriptions: create an HTTPS subscription to the same endpoint "
    "(https://…, with a certificate from a trusted authority), confirm it, then delete the HTTP one. "
    "CLI: aws sns subscribe --topic-arn TOPIC_ARN --protocol https --notification-endpoint https://host/path && "
    "aws sns unsubscribe --subscription-arn HTTP_SUBSCRIPTION_ARN",
)
def subscription_https(subscription, inventory):
    protocol = subscription.evidence.get("protocol")
    if protocol == "https":
        return passed(f"Messages are delivered over HTTPS{endpoint_host(subscription)}.")
    if protocol == "http":
        return failed(f"Messages are delivered over plain HTTP{endpoint_host(subscription)}, unencrypted in transit.")
    return None  # sqs, lambda, email …: no URL endpoint
