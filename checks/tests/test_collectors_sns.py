"""SNS collector against the moto server: topic encryption and subscriptions with redacted URLs."""

import json

from checks.collectors import sns
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, sns.collect(ctx, region)


def of_type(collected, type_):
    return [record for record in collected.records if record.type == type_]


def test_topics_record_their_kms_key(aws):
    client = aws.client("sns")
    plain = client.create_topic(Name="plain")["TopicArn"]
    managed = client.create_topic(Name="managed", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    ctx, collected = scan(aws)
    topics = {record.uid: record for record in of_type(collected, "sns.topic")}
    assert topics[plain].name == "plain"
    assert topics[plain].evidence["encrypted"] is False
    assert topics[plain].key_arn is None
    assert topics[managed].evidence["encrypted"] is True
    assert topics[managed].key_arn == "alias/aws/sns"
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_subscription_urls_are_kept_without_their_password(aws):
    client = aws.client("sns")
    topic = client.create_topic(Name="alerts")["TopicArn"]
    hook = client.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://bot:hunter2@hooks.example.com/alerts")[
        "SubscriptionArn"
    ]
    mail = client.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")["SubscriptionArn"]
    ctx, collected = scan(aws)
    subscriptions = {record.uid: record for record in of_type(collected, "sns.subscription")}
    assert subscriptions[hook].evidence == {
        "protocol": "https",
        "topic_arn": topic,
        "pending_confirmation": False,
        "urls": ["https://bot:****@hooks.example.com/alerts"],
    }
    assert "hunter2" not in repr(subscriptions[hook])
    # E-mail addresses are personal data and no check needs them: not kept.
    assert subscriptions[mail].evidence["urls"] == []
    assert "oncall@example.com" not in repr(subscriptions[mail])
    assert subscriptions[mail].name == "alerts (email)"
    assert len([key for key in ctx.call_log.calls if key[2] == "ListSubscriptions"]) == 1
    assert ctx.call_log.repeated() == {}


def test_pending_subscription_gets_a_stable_id_free_of_the_password():
    listed = {
        "SubscriptionArn": "PendingConfirmation",
        "Protocol": "http",
        "TopicArn": "arn:aws:sns:us-east-1:1:t",
        "Endpoint": "http://user:s3cret@example.com/x",
    }
    first = sns.subscription_record("us-east-1", listed)
    again = sns.subscription_record("us-east-1", dict(listed))
    other_password = sns.subscription_record("us-east-1", {**listed, "Endpoint": "http://user:other@example.com/x"})
    assert first.uid == again.uid
    assert first.uid.startswith("arn:aws:sns:us-east-1:1:t:pending/")
    # Derived from the redacted URL: the password does not influence it at all.
    assert other_password.uid == first.uid
    assert first.evidence["pending_confirmation"] is True
    assert first.evidence["urls"] == ["http://user:****@example.com/x"]


def test_topics_are_read_across_pages(aws):
    client = aws.client("sns")
    # ListTopics takes no page size; moto answers 100 topics a page, as AWS does.
    created = {client.create_topic(Name=f"topic-{number}")["TopicArn"] for number in range(101)}
    ctx, collected = scan(aws)
    assert {record.uid for record in of_type(collected, "sns.topic")} == created
    assert len([key for key in ctx.call_log.calls if key[2] == "ListTopics"]) == 2
    assert ctx.call_log.repeated() == {}


def test_denied_topic_attributes_are_per_topic_errors(aws):
    deny(aws.session, "sns", "GetTopicAttributes")
    topic = aws.client("sns").create_topic(Name="orders")["TopicArn"]
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("sns:GetTopicAttributes", topic)
    [record] = of_type(collected, "sns.topic")
    assert record.uid == topic
    assert "encrypted" not in record.evidence
    assert ctx.call_log.repeated() == {}


def test_denied_subscription_listing_is_a_gap_and_topics_are_still_read(aws):
    deny(aws.session, "sns", "ListSubscriptions")
    topic = aws.client("sns").create_topic(Name="orders")["TopicArn"]
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid, error.region) == ("sns:ListSubscriptions", "", "us-east-1")
    assert [record.uid for record in collected.records] == [topic]


def test_topic_policy_comes_from_the_same_attributes_call(aws):
    client = aws.client("sns")
    default = client.create_topic(Name="default")["TopicArn"]
    opened = client.create_topic(Name="opened")["TopicArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": opened}
        ],
    }
    client.set_topic_attributes(TopicArn=opened, AttributeName="Policy", AttributeValue=json.dumps(policy))

    ctx, collected = scan(aws)

    topics = {record.uid: record for record in of_type(collected, "sns.topic")}
    # The policy SNS gives a new topic: {"AWS": "*"}, narrowed by AWS:SourceOwner (kept: it is the open part).
    [kept] = topics[default].evidence["policy_public_statements"]
    assert kept["condition"] == {"StringEquals": {"AWS:SourceOwner": aws.account_id}}
    assert topics[opened].evidence["policy_public_statements"] == [
        {"sid": "Anyone", "actions": ["sns:Publish"], "condition": {}}
    ]
    assert sorted(key[2] for key in ctx.call_log.calls if key[2] == "GetTopicAttributes") == ["GetTopicAttributes"] * 2
    assert ctx.call_log.repeated() == {}


def test_subscription_protocols_are_kept_for_every_kind(aws):
    client = aws.client("sns")
    topic = client.create_topic(Name="events")["TopicArn"]
    queue = f"arn:aws:sqs:us-east-1:{aws.account_id}:events"
    for protocol, endpoint in (
        ("http", "http://hooks.example.com/in"),
        ("https", "https://hooks.example.com/in"),
        ("sqs", queue),
    ):
        client.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)

    ctx, collected = scan(aws)

    found = {record.evidence["protocol"]: record for record in of_type(collected, "sns.subscription")}
    assert sorted(found) == ["http", "https", "sqs"]
    assert found["http"].evidence["urls"] == ["http://hooks.example.com/in"]
    assert found["sqs"].evidence["urls"] == []
    # One listing per region serves both hygiene.no_credentials_in_urls and sns.subscription_https.
    assert [key[2] for key in ctx.call_log.calls].count("ListSubscriptions") == 1
