"""SNS: topics with their encryption and access policy, and subscriptions (their protocol, and endpoint URLs that may
carry credentials)."""

import hashlib

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, each, pages, redact_url
from checks.inventory import Record

SERVICE = "sns"
SCOPE = "regional"
IAM_ACTIONS = {
    "ListTopics": "sns:ListTopics",
    "GetTopicAttributes": "sns:GetTopicAttributes",
    "ListSubscriptions": "sns:ListSubscriptions",
}
URL_PROTOCOLS = ("http", "https")
PENDING = "PendingConfirmation"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    sns = ctx.client(SERVICE, region)
    collect_topics(sns, region, collected)
    collect_subscriptions(sns, region, collected)
    return collected


def collect_topics(sns, region, collected):
    arns = []
    with collected.capture(api="sns:ListTopics"):
        arns = [topic["TopicArn"] for topic in pages(sns, "list_topics", "Topics")]

    def read(arn):
        attributes = policy = None
        with collected.capture(resource_uid=arn, api="sns:GetTopicAttributes"):
            # The attributes hold the access policy too (AWS gives every topic one: its owner's account only).
            attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            policy = open_statements(attributes.get("Policy"))
        # A topic whose attributes failed is still listed, so its checks show ERROR rather than vanish.
        return topic_record(arn, region, attributes, policy)

    for record in each(arns, read):
        collected.add(record)


def topic_record(arn, region, attributes, policy):
    name = arn.rsplit(":", 1)[-1]
    if attributes is None:
        return Record(uid=arn, type="sns.topic", region=region, name=name)
    key = attributes.get("KmsMasterKeyId") or None
    evidence = {"encrypted": bool(key), POLICY_EVIDENCE: policy}
    return Record(uid=arn, type="sns.topic", region=region, name=name, evidence=evidence, key_arn=key)


def collect_subscriptions(sns, region, collected):
    # One listing per region (not one per topic): it also returns subscriptions to other accounts' topics.
    with collected.capture(api="sns:ListSubscriptions"):
        for subscription in pages(sns, "list_subscriptions", "Subscriptions"):
            collected.add(subscription_record(region, subscription))


def subscription_record(region, subscription):
    protocol = subscription.get("Protocol", "")
    topic_arn = subscription.get("TopicArn", "")
    endpoint = subscription.get("Endpoint") or ""
    # Only a redacted copy is kept: a password in an endpoint must never reach our database. E-mail and
    # SMS endpoints (personal data) are not kept at all.
    url = redact_url(endpoint) if protocol in URL_PROTOCOLS else None
    pending = subscription.get("SubscriptionArn") == PENDING
    evidence = {
        "protocol": protocol,
        "topic_arn": topic_arn,
        "pending_confirmation": pending,
        "urls": [url] if url else [],
    }
    return Record(
        uid=subscription_uid(subscription, topic_arn, protocol, url),
        type="sns.subscription",
        region=region,
        name=f"{topic_arn.rsplit(':', 1)[-1]} ({protocol})",
        evidence=evidence,
    )


def subscription_uid(subscription, topic_arn, protocol, url):
    """The SubscriptionArn, or for an unconfirmed subscription (no ARN yet) a stable synthetic id.

    Pending subscriptions are kept: an unconfirmed https endpoint still holds whatever credentials its URL
    carries. The synthetic id hashes the redacted endpoint, so it stays stable across scans and derives
    nothing from a password.
    """
    arn = subscription.get("SubscriptionArn", "")
    if arn and arn != PENDING:
        return arn
    endpoint = url or subscription.get("Endpoint") or ""
    digest = hashlib.sha256(f"{protocol}|{endpoint}".encode()).hexdigest()[:16]
    return f"{topic_arn}:pending/{digest}"
