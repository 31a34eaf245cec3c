"""secretsmanager.secret_customer_managed_key: aws/secretsmanager fails, customer-managed passes;
secretsmanager.secret_policy_not_public."""

import json

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check

CHECK = "secretsmanager.secret_customer_managed_key"
EXTERNAL_KEY = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"


def secret(key_arn):
    return make_record("secretsmanager.secret", name="db-password", key_arn=key_arn, encrypted=True)


def test_secret_with_default_key_fails_as_aws_managed():
    result = run_check(CHECK, secret("alias/aws/secretsmanager"))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_secret_with_customer_key_alias_passes():
    key = make_key("k1", aliases=["alias/db"])
    result = run_check(CHECK, secret("alias/db"), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_secret_with_another_accounts_key_passes_whether_or_not_that_account_is_trusted(trusted):
    result = run_check(CHECK, secret(EXTERNAL_KEY), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert OTHER_ACCOUNT in result.reason
    assert "kms.external_account_key" in result.reason


def test_untrusted_accounts_key_fails_once_in_kms_external_account_key_only():
    record = secret(EXTERNAL_KEY)
    assert run_check(CHECK, record).status == Status.PASS
    assert run_check("kms.external_account_key", record).status == Status.FAIL


def test_secret_whose_key_is_unknown_is_an_error_not_a_pass():
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/missing"
    result = run_check(CHECK, secret(key_arn))
    assert result.status == Status.ERROR
    assert result.key_owner == KeyOwner.UNKNOWN
    assert result.reason == (
        f"Secret uses {key_arn}, a key this scan could not describe: {key_arn} is not among this account's "
        f"KMS keys listed in {REGION} (deleted, or never there)."
    )


def test_secret_whose_alias_names_an_undescribed_key_is_an_error_naming_the_keys_arn():
    key = make_key("k1", manager=None, aliases=["alias/db"])
    denied = CollectionError("kms", REGION, "kms:DescribeKey", "AccessDeniedException", "no", key.uid)
    result = run_check(CHECK, secret("alias/db"), key, errors=[denied])
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert result.reason == (
        f"Secret uses alias/db, a key this scan could not describe: kms:DescribeKey failed on {key.uid} "
        "(AccessDeniedException)."
    )


def test_secret_whose_regions_keys_were_not_listed_is_an_error():
    listing = CollectionError("kms", REGION, "kms:ListKeys", "AccessDeniedException", "no")
    result = run_check(CHECK, secret("alias/db"), errors=[listing])
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert f"the KMS keys of {REGION} could not be listed" in result.reason


# ---- secretsmanager.secret_policy_not_public --------------------------------------------------------------------

POLICY_CHECK = "secretsmanager.secret_policy_not_public"


def secret_with_policy(*statements, read=True):
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)}) if statements else None
    evidence = {"encrypted": True, POLICY_EVIDENCE: open_statements(document) if read else None}
    return make_record("secretsmanager.secret", name="db-password", key_arn="alias/aws/secretsmanager", **evidence)


def read_secret(principal, condition=None):
    statement = {"Sid": "Readers", "Effect": "Allow", "Principal": principal, "Action": "secretsmanager:GetSecretValue"}
    return {**statement, "Resource": "*", **({"Condition": condition} if condition else {})}


def test_secret_anyone_may_read_fails():
    result = run_check(POLICY_CHECK, secret_with_policy(read_secret("*")))
    assert result.status == Status.FAIL
    assert result.reason.startswith(
        "Secret policy statement(s) Readers allow any principal secretsmanager:GetSecretValue"
    )


def test_secret_shared_with_the_organization_or_a_named_account_passes():
    organization = read_secret({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}})
    named = read_secret({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/reader"})
    assert run_check(POLICY_CHECK, secret_with_policy(organization)).status == Status.PASS
    assert run_check(POLICY_CHECK, secret_with_policy(named)).reason == (
        "No secret policy statement allows every principal."
    )


def test_secret_without_a_policy_passes_and_an_unread_one_is_an_error():
    assert run_check(POLICY_CHECK, secret_with_policy()).status == Status.PASS
    assert run_check(POLICY_CHECK, secret_with_policy(read=False)).status == Status.ERROR


def test_a_denied_policy_read_errors_this_check_only():
    record = secret_with_policy(read=False)
    denied = CollectionError(
        "secretsmanager", REGION, "secretsmanager:GetResourcePolicy", "AccessDenied", "no", resource_uid=record.uid
    )
    inventory = make_inventory(record, errors=[denied])

    def status(check_id):
        return {e.record.uid: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}[record.uid]

    assert status(POLICY_CHECK) == Status.ERROR
    assert status(CHECK) == Status.FAIL  # the key check reads ListSecrets only
