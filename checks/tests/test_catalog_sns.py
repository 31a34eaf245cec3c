"""sns.topic_encrypted: the topic names a KMS key."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
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
