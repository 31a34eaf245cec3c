"""The one rule for "public": resource policies, shared snapshots and ACL grants (checks/catalog/policies.py)."""

import json

import pytest

from checks.catalog.base import Status
from checks.catalog.policies import (
    POLICY_EVIDENCE,
    narrows,
    open_statements,
    policy_verdict,
    public_acl_grants,
    public_statements,
    shared_with_everyone,
)
from checks.inventory import Record

ACCOUNT = "123456789012"


def allow(principal, condition=None, sid="S", action="sqs:SendMessage", key="Principal"):
    statement = {"Sid": sid, "Effect": "Allow", key: principal, "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize(
    "principal",
    [
        "*",
        {"AWS": "*"},
        {"AWS": ["arn:aws:iam::111122223333:root", "*"]},
        # Amazon S3's meaning of "public": a web identity provider's users are anyone who signs in there.
        {"Federated": "graph.facebook.com"},
        {"Federated": ["cognito-identity.amazonaws.com"]},
    ],
)
def test_every_spelling_of_everyone_is_open(principal):
    assert [s["sid"] for s in open_statements(policy(allow(principal)))] == ["S"]


def test_allow_with_not_principal_is_open_to_everyone_else():
    statements = open_statements(policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, key="NotPrincipal")))
    assert len(statements) == 1


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        {"Service": "sns.amazonaws.com"},
        {"AWS": ACCOUNT},
        {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},  # one account's own identity provider
    ],
)
def test_named_principals_are_not_open(principal):
    assert open_statements(policy(allow(principal))) == []


def test_deny_for_everyone_is_not_open():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    assert open_statements(policy(deny)) == []


def test_a_single_statement_object_and_a_parsed_document_are_read():
    document = {"Statement": allow("*")}
    assert len(open_statements(document)) == 1
    assert open_statements(None) == []
    assert open_statements("") == []


@pytest.mark.parametrize("document", ["{not json", "[1, 2]", json.dumps({"Statement": ["text"]})])
def test_malformed_documents_are_an_error_not_a_pass(document):
    with pytest.raises(ValueError):  # noqa: PT011 - json.JSONDecodeError is a ValueError too
        open_statements(document)


def test_statement_without_sid_is_named_by_position_and_not_action_is_spelt_out():
    statement = {"Effect": "Allow", "Principal": "*", "NotAction": "sqs:DeleteQueue", "Resource": "*"}
    [found] = open_statements(policy(allow({"AWS": ACCOUNT}), statement))
    assert found["sid"] == "#2"
    assert found["actions"] == ["every action except sqs:DeleteQueue"]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:*"}},
        {"ArnEquals": {"AWS:SourceArn": f"arn:aws:s3:::bucket-{ACCOUNT}"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEquals": {"aws:SourceVpc": "vpc-111bbb22"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, "111122223333"]}},
        {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc123/r-ab12/ou-ab12-11111111/"}},
        {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/48"]}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceAccount": ACCOUNT}},
    ],
)
def test_conditions_that_fix_who_or_where_narrow(condition):
    assert narrows(condition)


@pytest.mark.parametrize(
    "condition",
    [
        {},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringLike": {"aws:PrincipalOrgID": "*"}},
        {"StringLike": {"aws:SourceVpce": "vpce-*"}},
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}},
        {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
        {"Null": {"aws:PrincipalOrgID": "false"}},
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"aws:SourceAccount": []}},
        {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}},  # any account's principal via SQS
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "64.0.0.0/2"]}},  # one range broader than /8
        {"IpAddress": {"aws:SourceIp": "::/0"}},
        {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"IpAddress": {"aws:SourceIp": "not-an-address"}},
        "malformed",
    ],
)
def test_conditions_that_leave_everyone_in_do_not_narrow(condition):
    assert not narrows(condition)


def verdict(statements):
    return policy_verdict(
        Record("arn:aws:sqs:us-east-1:1:q", "sqs.queue", "us-east-1", "q", {POLICY_EVIDENCE: statements}),
        "Queue policy",
    )


def test_an_unnarrowed_open_statement_fails_naming_its_sid_and_actions():
    result = verdict(open_statements(policy(allow("*", sid="Anyone"))))
    assert result.status == Status.FAIL
    assert "Anyone" in result.reason
    assert "sqs:SendMessage" in result.reason


def test_open_statements_all_narrowed_pass():
    narrowed = allow("*", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"}})
    result = verdict(open_statements(policy(narrowed)))
    assert result.status == Status.PASS
    assert "narrowed" in result.reason


def test_no_open_statement_passes_and_an_unread_policy_is_an_error():
    assert verdict([]).status == Status.PASS
    assert verdict(None).status == Status.ERROR


def test_public_statements_keeps_only_the_unnarrowed():
    statements = open_statements(
        policy(allow("*", sid="Open"), allow("*", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, sid="Narrow"))
    )
    assert [s["sid"] for s in public_statements(statements)] == ["Open"]


# Amazon S3 acting for a bucket (event notifications): bucket ARNs name no account, so only the bucket's account
# or organisation narrows the grant (AWS Config lambda-function-public-access-prohibited).


def s3_grant(condition=None, sid="S3Events"):
    return allow({"Service": ["s3.amazonaws.com"]}, condition, sid=sid, action="lambda:InvokeFunction")


def test_a_grant_to_amazon_s3_is_kept_marked_as_such():
    [found] = open_statements(policy(s3_grant()))
    assert found == {
        "sid": "S3Events",
        "actions": ["lambda:InvokeFunction"],
        "condition": {},
        "principal": "s3.amazonaws.com",
    }


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},  # another account can own a bucket of that name
        {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}},
    ],
)
def test_a_grant_to_amazon_s3_without_the_buckets_account_is_public(condition):
    result = verdict(open_statements(policy(s3_grant(condition))))
    assert result.status == Status.FAIL
    assert "Amazon S3, for any account's bucket," in result.reason


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"AWS:SourceAccount": ACCOUNT}, "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
        {"StringEquals": {"aws:SourceOrgID": "o-abc123"}},
    ],
)
def test_a_grant_to_amazon_s3_for_the_buckets_of_known_accounts_is_not(condition):
    result = verdict(open_statements(policy(s3_grant(condition))))
    assert result.status == Status.PASS
    assert "or Amazon S3 are narrowed" in result.reason


def test_other_service_principals_and_everyone_statements_keep_their_shape():
    statements = open_statements(policy(allow({"Service": "sns.amazonaws.com"}), allow("*", sid="Anyone")))
    assert statements == [{"sid": "Anyone", "actions": ["sqs:SendMessage"], "condition": {}}]


def test_a_snapshot_shared_with_all_is_public_and_with_one_account_is_not():
    assert shared_with_everyone(["all"])
    assert shared_with_everyone(["111122223333", "all"])
    assert not shared_with_everyone(["111122223333"])
    assert not shared_with_everyone([])
    assert not shared_with_everyone(None)


def test_acl_grants_to_all_users_or_any_aws_account_are_public():
    everyone = {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ",
    }
    any_account = {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
        "Permission": "WRITE",
    }
    log_delivery = {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
        "Permission": "WRITE",
    }
    owner = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}
    assert public_acl_grants([everyone, any_account, log_delivery, owner]) == [everyone, any_account]
    assert public_acl_grants(None) == []
