"""sns.topic_encrypted: the topic names a KMS key; sns.topic_policy_not_public; sns.subscription_https."""

import json

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import make_inventory, make_key, make_record, run_check

CHECK = "sns.topic_encrypted"


def topic(key_arn=None, uid=None):
    return make_record("sns.topic", uid=uid, name="alerts", key_arn=key_arn, encrypted=bool(key_arn))


def test_topic_with_aws_managed_alias_passes_as_aws_managed():
    result = run_check(CHECK, topic(key_arn="alias/aws/sns"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_topic_with_customer_key_alias_passes_as_customer_managed():
    key = make_key("k1", aliases=["alias/alerts"])
    result = run_check(CHECK, topic(key_arn="alias/alerts"), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_topic_without_key_fails():
    result = run_check(CHECK, topic())
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_topic_whose_attributes_failed_is_an_error_for_that_topic_only():
    failing = make_record("sns.topic", uid="arn:aws:sns:us-east-1:111111111111:broken", name="broken")
    healthy = topic(key_arn="alias/aws/sns")
    error = CollectionError(
        "sns", "us-east-1", "sns:GetTopicAttributes", "AccessDenied", "denied", resource_uid=failing.uid
    )
    results = {
        evaluation.record.uid: evaluation.result.status
        for evaluation in evaluate_check(CATALOG[CHECK], make_inventory(failing, healthy, errors=[error]))
    }
    assert results == {failing.uid: Status.ERROR, healthy.uid: Status.PASS}


# ---- sns.topic_policy_not_public --------------------------------------------------------------------------------

POLICY_CHECK = "sns.topic_policy_not_public"
# The policy SNS gives every new topic: Principal {"AWS": "*"}, narrowed to the owner by AWS:SourceOwner.
DEFAULT_TOPIC_POLICY = {
    "Version": "2008-10-17",
    "Id": "__default_policy_ID",
    "Statement": [
        {
            "Effect": "Allow",
            "Sid": "__default_statement_ID",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:Subscribe", "SNS:Publish"],
            "Resource": "arn:aws:sns:us-east-1:111111111111:alerts",
            "Condition": {"StringEquals": {"AWS:SourceOwner": "111111111111"}},
        }
    ],
}


def topic_with_policy(document):
    statements = None if document is None else open_statements(json.dumps(document))
    return make_record("sns.topic", name="alerts", **{POLICY_EVIDENCE: statements})


def test_the_default_topic_policy_is_not_public():
    result = run_check(POLICY_CHECK, topic_with_policy(DEFAULT_TOPIC_POLICY))
    assert result.status == Status.PASS
    assert result.reason == "1 statement(s) with a wildcard principal are narrowed by conditions."


def test_a_topic_anyone_may_subscribe_to_fails():
    [default] = DEFAULT_TOPIC_POLICY["Statement"]
    opened = {**DEFAULT_TOPIC_POLICY, "Statement": [{**default, "Sid": "Open", "Condition": {}}]}
    result = run_check(POLICY_CHECK, topic_with_policy(opened))
    assert result.status == Status.FAIL
    assert "Topic policy statement(s) Open allow any principal" in result.reason
    assert "SNS:Subscribe" in result.reason


def test_a_topic_whose_policy_was_not_read_is_an_error():
    assert run_check(POLICY_CHECK, topic_with_policy(None)).status == Status.ERROR


# ---- sns.subscription_https ---------------------------------------------------------------------------------------

HTTPS_CHECK = "sns.subscription_https"


def subscription(protocol, url=None):
    return make_record(
        "sns.subscription",
        name=f"alerts ({protocol})",
        protocol=protocol,
        topic_arn="arn:aws:sns:us-east-1:111111111111:alerts",
        pending_confirmation=False,
        urls=[url] if url else [],
    )


def test_https_endpoint_passes():
    result = run_check(HTTPS_CHECK, subscription("https", "https://hooks.example.com/posture"))
    assert (result.status, result.reason) == (Status.PASS, "Messages are delivered over HTTPS to hooks.example.com.")


def test_http_endpoint_fails_naming_the_host_but_never_its_user_info():
    result = run_check(HTTPS_CHECK, subscription("http", "http://deploy:****@hooks.example.com/legacy"))
    assert result.status == Status.FAIL
    assert result.reason == ("Messages are delivered over plain HTTP to hooks.example.com, unencrypted in transit.")


@pytest.mark.parametrize("protocol", ["sqs", "lambda", "email", "email-json", "sms", "firehose", "application"])
def test_other_protocols_are_not_judged(protocol):
    assert run_check(HTTPS_CHECK, subscription(protocol)) is None


def test_an_unlisted_region_makes_the_check_an_error_there():
    gap = CollectionError("sns", "us-east-1", "sns:ListSubscriptions", "AccessDenied", "no")
    inventory = make_inventory(errors=[gap])
    [evaluation] = evaluate_check(CATALOG[HTTPS_CHECK], inventory)
    assert (evaluation.record.type, evaluation.result.status) == ("region", Status.ERROR)
