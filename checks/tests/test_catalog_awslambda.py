"""Lambda checks, pure: environment variables under a customer-managed key; no function policy open to everyone."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

ENVIRONMENT = "lambda.environment_customer_managed_key"
POLICY = "lambda.function_policy_not_public"
UID = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders"


def function(key_arn=None, variables=2, error=None, policy=()):
    evidence = {"environment_variable_count": variables, "environment_error": error, POLICY_EVIDENCE: list(policy)}
    if key_arn:
        evidence["encrypted"] = True
    return make_record("lambda.function", uid=UID, name="orders", key_arn=key_arn, **evidence)


def test_variables_under_the_aws_managed_lambda_key_fail():
    result = run_check(ENVIRONMENT, function("alias/aws/lambda"))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_MANAGED)
    assert (
        result.reason == "Function's 2 environment variable(s) are encrypted with the AWS-managed key alias/aws/lambda."
    )


def test_variables_under_a_customer_key_pass():
    key = make_key("k1", aliases=["alias/lambda-env"])
    result = run_check(ENVIRONMENT, function("alias/lambda-env"), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_variables_under_another_accounts_key_pass_as_external():
    key = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"
    result = run_check(ENVIRONMENT, function(key))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert "kms.external_account_key" in result.reason


def test_variables_under_a_key_that_is_gone_are_an_error():
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/gone"
    result = run_check(ENVIRONMENT, function(key))
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)


def test_function_without_variables_is_not_applicable():
    result = run_check(ENVIRONMENT, function(None, variables=0))
    assert (result.status, result.key_owner) == (Status.NOT_APPLICABLE, None)


def test_function_without_variables_but_with_a_key_shows_that_keys_owner():
    key = make_key("k1")
    result = run_check(ENVIRONMENT, function(key.uid, variables=0), key)
    assert (result.status, result.key_owner) == (Status.NOT_APPLICABLE, KeyOwner.CUSTOMER_MANAGED)


def test_variables_lambda_could_not_decrypt_are_still_judged():
    result = run_check(ENVIRONMENT, function("alias/aws/lambda", variables=0, error="KMSAccessDeniedException"))
    assert result.status == Status.FAIL
    assert "could not decrypt" in result.reason


def test_environment_not_collected_is_an_error():
    assert run_check(ENVIRONMENT, make_record("lambda.function", uid=UID, name="orders")).status == Status.ERROR


def test_function_without_policy_passes():
    assert run_check(POLICY, function()).status == Status.PASS


def test_function_anyone_may_invoke_fails():
    statement = {"sid": "public", "actions": ["lambda:InvokeFunction"], "condition": {}}
    result = run_check(POLICY, function(policy=[statement]))
    assert result.status == Status.FAIL
    assert "allow any principal lambda:InvokeFunction" in result.reason


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ({"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}}, Status.FAIL),
        ({"StringEquals": {"AWS:SourceAccount": ACCOUNT}}, Status.PASS),
    ],
    ids=["bucket-arn-only", "source-account"],
)
def test_a_grant_to_s3_is_narrowed_only_by_the_buckets_account(condition, status):
    statement = {
        "sid": "s3-events",
        "actions": ["lambda:InvokeFunction"],
        "condition": condition,
        "principal": "s3.amazonaws.com",
    }
    result = run_check(POLICY, function(policy=[statement]))
    assert result.status == status


def test_policy_not_read_is_an_error():
    record = make_record("lambda.function", uid=UID, name="orders", environment_variable_count=0)
    assert run_check(POLICY, record).status == Status.ERROR
