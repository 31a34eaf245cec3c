"""The IAM collector against a moto server over HTTP."""

import json

import pytest

from checks.collectors import iam
from checks.collectors.base import ScanContext
from checks.inventory import GLOBAL, account_uid
from conftest import deny

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ADMIN_IN_LIST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Allow", "Action": ["ec2:Describe*", "*:*"], "Resource": ["*"]},
    ],
}
NARROW = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
    ],
}


TEST_PASSWORD = "A-long-passw0rd!"  # noqa: S105 - a moto user's password in a test


def collect(aws):
    ctx = ScanContext(aws.session, aws.account_id, ("us-east-1", "eu-west-1"), "us-east-1")
    return ctx, iam.collect(ctx, GLOBAL)


def of_type(collected, type_):
    return {record.name: record for record in collected.records if record.type == type_}


def calls(ctx, operation):
    return [key for key in ctx.call_log.calls if key[2] == operation]


@pytest.fixture
def client(aws):
    return aws.client("iam")


def test_account_without_password_policy_records_none(aws):
    ctx, collected = collect(aws)
    [account] = of_type(collected, "account").values()
    assert account.uid == account_uid(aws.account_id)
    assert account.region == GLOBAL
    assert account.evidence["password_policy"] is None
    # Booleans from GetAccountSummary (moto always answers "no root MFA"; AWS answers the truth).
    assert isinstance(account.evidence["root_mfa_enabled"], bool)
    assert account.evidence["root_access_keys_present"] is False
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_password_policy_is_recorded_in_snake_case(aws, client):
    client.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=False,
        PasswordReusePrevention=24,
        MaxPasswordAge=90,
    )
    _, collected = collect(aws)
    assert of_type(collected, "account")[aws.account_id].evidence["password_policy"] == {
        "minimum_length": 14,
        "require_uppercase": True,
        "require_lowercase": False,
        "require_numbers": True,
        "require_symbols": True,
        "reuse_prevention": 24,
        "max_age_days": 90,
    }


def test_users_console_password_mfa_and_access_keys(aws, client):
    client.create_user(UserName="alice")
    client.create_login_profile(UserName="alice", Password=TEST_PASSWORD)
    serial = client.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    client.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    client.create_user(UserName="bob")
    active = client.create_access_key(UserName="bob")["AccessKey"]
    retired = client.create_access_key(UserName="bob")["AccessKey"]
    client.update_access_key(UserName="bob", AccessKeyId=retired["AccessKeyId"], Status="Inactive")
    client.create_user(UserName="carol")
    client.create_login_profile(UserName="carol", Password=TEST_PASSWORD)

    ctx, collected = collect(aws)
    users = of_type(collected, "iam.user")
    assert sorted(users) == ["alice", "bob", "carol"]
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    assert alice.uid == f"arn:aws:iam::{aws.account_id}:user/alice"
    assert alice.region == GLOBAL
    assert (alice.evidence["has_console_password"], alice.evidence["mfa_enabled"]) == (True, True)
    assert (carol.evidence["has_console_password"], carol.evidence["mfa_enabled"]) == (True, False)
    assert (bob.evidence["has_console_password"], bob.evidence["mfa_enabled"]) == (False, False)
    assert alice.evidence["access_keys"] == []
    assert sorted((key["id"], key["status"]) for key in bob.evidence["access_keys"]) == sorted(
        [(active["AccessKeyId"], "Active"), (retired["AccessKeyId"], "Inactive")]
    )
    assert all(key["created"].startswith("20") for key in bob.evidence["access_keys"])
    assert bob.evidence["created"].startswith("20")
    assert calls(ctx, "GetAccessKeyLastUsed") == []
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_customer_policies_flag_full_admin_grants(aws, client):
    admin = client.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    client.create_policy(PolicyName="admin-in-list", PolicyDocument=json.dumps(ADMIN_IN_LIST))
    client.create_policy(PolicyName="narrow", PolicyDocument=json.dumps(NARROW))
    client.create_user(UserName="ops")
    client.attach_user_policy(UserName="ops", PolicyArn=admin["Arn"])

    _, collected = collect(aws)
    policies = of_type(collected, "iam.policy")
    assert sorted(policies) == ["admin", "admin-in-list", "narrow"]  # AWS-managed policies are not listed
    assert policies["admin"].uid == admin["Arn"]
    assert policies["admin"].evidence == {
        "attachment_count": 1,
        "default_version": "v1",
        "grants_full_admin": True,
        "full_admin_statements": ["Everything"],
    }
    assert policies["admin-in-list"].evidence["full_admin_statements"] == ["#2"]
    assert policies["narrow"].evidence["grants_full_admin"] is False
    assert policies["narrow"].evidence["attachment_count"] == 0


def test_the_default_version_is_the_one_judged(aws, client):
    arn = client.create_policy(PolicyName="p", PolicyDocument=json.dumps(NARROW))["Policy"]["Arn"]
    client.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(ADMIN), SetAsDefault=True)
    _, collected = collect(aws)
    evidence = of_type(collected, "iam.policy")["p"].evidence
    assert (evidence["default_version"], evidence["grants_full_admin"]) == ("v2", True)


def test_policies_come_from_the_account_details_with_one_tag_call_each(aws, client):
    for index in range(101):
        client.create_policy(PolicyName=f"p{index:03}", PolicyDocument=json.dumps(NARROW))
    ctx, collected = collect(aws)
    assert len(of_type(collected, "iam.policy")) == 101
    [details] = calls(ctx, "GetAccountAuthorizationDetails")  # moto answers in one page, whatever the size
    assert '"Filter.member.3": "LocalManagedPolicy"' in details[3]
    assert len(calls(ctx, "ListPolicyTags")) == 101
    for operation in ("ListPolicies", "GetPolicyVersion"):
        assert calls(ctx, operation) == []
    assert ctx.call_log.repeated() == {}


def test_names_descriptions_and_tags_of_users_roles_and_policies(aws, client):
    client.create_user(UserName="alice", Tags=[{"Key": "owner", "Value": "alice@example.com"}])
    client.create_user(UserName="bob")
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    client.create_role(
        RoleName="deploy",
        AssumeRolePolicyDocument=trust,
        Description="CI deploys",
        Tags=[{"Key": "team", "Value": "ci"}],
    )
    client.create_role(RoleName="plain", AssumeRolePolicyDocument=trust)
    client.create_policy(
        PolicyName="reports",
        PolicyDocument=json.dumps(NARROW),
        Description="Reports for account 210987654321",
        Tags=[{"Key": "cost-centre", "Value": "42"}],
    )
    ctx, collected = collect(aws)
    users, roles, policies = (of_type(collected, kind) for kind in ("iam.user", "iam.role", "iam.policy"))
    assert (users["alice"].tags, users["bob"].tags) == ({"owner": "alice@example.com"}, {})
    assert roles["deploy"].uid == f"arn:aws:iam::{aws.account_id}:role/deploy"
    assert (roles["deploy"].region, roles["deploy"].tags) == (GLOBAL, {"team": "ci"})
    assert roles["deploy"].evidence == {"path": "/", "description": "CI deploys"}
    assert (roles["plain"].tags, roles["plain"].evidence) == ({}, {"path": "/"})
    assert policies["reports"].evidence["description"] == "Reports for account 210987654321"
    assert policies["reports"].tags == {"cost-centre": "42"}
    assert users["bob"].evidence["password_last_used"] is None  # ListUsers: never used
    assert [len(calls(ctx, operation)) for operation in ("ListUsers", "ListRoles")] == [1, 1]
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_an_account_without_users_or_roles_needs_no_listing(aws):
    ctx, collected = collect(aws)
    assert not [record for record in collected.records if record.type != "account"]
    assert calls(ctx, "ListUsers") == calls(ctx, "ListRoles") == []


def test_many_users_each_read_once(aws, client):
    for index in range(12):
        client.create_user(UserName=f"user{index:02}")
    ctx, collected = collect(aws)
    assert len(of_type(collected, "iam.user")) == 12
    for operation in ("GetLoginProfile", "ListMFADevices", "ListAccessKeys"):
        assert len(calls(ctx, operation)) == 12
    assert ctx.call_log.repeated() == {}


def test_account_details_denied_is_a_gap_and_the_account_is_still_collected(aws, client):
    client.create_user(UserName="alice")
    client.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))
    deny(aws.session, "iam", "GetAccountAuthorizationDetails")
    _, collected = collect(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == (
        "iam:GetAccountAuthorizationDetails",
        "AccessDenied",
        "",
        GLOBAL,
    )
    assert [record.type for record in collected.records] == ["account"]
    assert "password_policy" in of_type(collected, "account")[aws.account_id].evidence


def test_list_users_denied_leaves_only_the_password_use_unknown(aws, client):
    client.create_user(UserName="alice")
    deny(aws.session, "iam", "ListUsers")
    _, collected = collect(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("iam:ListUsers", "")
    alice = of_type(collected, "iam.user")["alice"]
    assert "password_last_used" not in alice.evidence
    assert alice.evidence["has_console_password"] is False


def test_list_roles_denied_is_an_error_on_each_role_not_the_account(aws, client):
    trust = json.dumps({"Version": "2012-10-17", "Statement": []})
    for name in ("deploy", "audit"):
        client.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": "ci"}])
    deny(aws.session, "iam", "ListRoles")
    _, collected = collect(aws)
    roles = of_type(collected, "iam.role")
    assert sorted((error.api, error.resource_uid) for error in collected.errors) == sorted(
        ("iam:ListRoles", role.uid) for role in roles.values()
    )
    assert roles["deploy"].tags == {"team": "ci"}


def test_policy_tags_denied_is_that_policys_error(aws, client):
    admin = client.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))["Policy"]
    deny(aws.session, "iam", "ListPolicyTags")
    _, collected = collect(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("iam:ListPolicyTags", admin["Arn"])
    assert of_type(collected, "iam.policy")["admin"].evidence["grants_full_admin"] is True


def test_password_policy_denied_leaves_it_out_rather_than_saying_none(aws):
    deny(aws.session, "iam", "GetAccountPasswordPolicy")
    _, collected = collect(aws)
    evidence = of_type(collected, "account")[aws.account_id].evidence
    assert "password_policy" not in evidence
    assert "root_mfa_enabled" in evidence
    assert [(error.api, error.resource_uid) for error in collected.errors] == [("iam:GetAccountPasswordPolicy", "")]


def test_login_profile_denied_is_a_per_user_error(aws, client):
    client.create_user(UserName="alice")
    client.create_access_key(UserName="alice")
    deny(aws.session, "iam", "GetLoginProfile")
    _, collected = collect(aws)
    alice = of_type(collected, "iam.user")["alice"]
    assert alice.evidence["has_console_password"] is None
    assert len(alice.evidence["access_keys"]) == 1
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("iam:GetLoginProfile", alice.uid)


@pytest.mark.parametrize("operation", sorted(iam.IAM_ACTIONS))
def test_iam_actions_name_real_operations(operation):
    import botocore.session

    assert operation in botocore.session.get_session().get_service_model("iam").operation_names
    assert iam.IAM_ACTIONS[operation] == f"iam:{operation}"


def test_collected_identities_read_as_the_identity_checks_expect(aws, client):
    """Collector evidence and checks agree: the contract between them, end to end."""
    from datetime import UTC, datetime, timedelta

    from checks.catalog import CATALOG
    from checks.catalog.base import Status
    from checks.evaluation import evaluate_check
    from checks.inventory import Inventory

    client.create_user(UserName="console")
    client.create_login_profile(UserName="console", Password=TEST_PASSWORD)
    client.create_user(UserName="robot", Tags=[{"Key": "contact", "Value": "robot-owner@example.com"}])
    client.create_access_key(UserName="robot")
    client.create_role(
        RoleName="ops",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        Tags=[{"Key": "runs-in", "Value": "123456789013"}],
    )
    client.create_policy(PolicyName="admin", PolicyDocument=json.dumps(ADMIN))
    _, collected = collect(aws)
    later = datetime.now(UTC) + timedelta(days=91)
    inventory = Inventory(aws.account_id, ("us-east-1",), later, collected.records, collected.errors)

    def statuses(check_id):
        return {e.record.name: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}

    assert statuses("iam.user_console_mfa") == {"console": Status.FAIL, "robot": Status.NOT_APPLICABLE}
    assert statuses("iam.access_keys_rotated_90d") == {"console": Status.NOT_APPLICABLE, "robot": Status.FAIL}
    assert statuses("iam.password_policy_strong") == {aws.account_id: Status.FAIL}
    assert statuses("iam.root_access_keys_absent") == {aws.account_id: Status.PASS}
    assert statuses("iam.no_full_admin_custom_policies") == {"admin": Status.FAIL}
    assert statuses("hygiene.no_sensitive_identifiers") == {
        "console": Status.PASS,
        "robot": Status.FAIL,
        "ops": Status.FAIL,
        "admin": Status.PASS,
    }
