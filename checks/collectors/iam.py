"""IAM, once per account: root account hygiene, the password policy, users' sign-in factors and keys,
and customer-managed policies that grant everything."""

import json
from urllib.parse import unquote

from botocore.exceptions import ClientError

from checks.collectors.base import GLOBAL, Collected, error_code, pages
from checks.inventory import Record, account_uid

SERVICE = "iam"
SCOPE = "global"
IAM_ACTIONS = {
    "GetAccountSummary": "iam:GetAccountSummary",
    "GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy",
    "ListUsers": "iam:ListUsers",
    "GetLoginProfile": "iam:GetLoginProfile",
    "ListMFADevices": "iam:ListMFADevices",
    "ListAccessKeys": "iam:ListAccessKeys",
    "ListPolicies": "iam:ListPolicies",
    "GetPolicyVersion": "iam:GetPolicyVersion",
}
ABSENT = "NoSuchEntity"


def collect(ctx, region=GLOBAL):
    """IAM is global: one pass per account whatever `region` the scanner passes."""
    iam = ctx.client(SERVICE, GLOBAL)
    collected = Collected(SERVICE, GLOBAL)
    collected.add(account_record(iam, collected, ctx.account_id))
    users = []
    with collected.capture():
        users = list(pages(iam, "list_users", "Users"))
    for user in users:
        collected.add(user_record(iam, collected, user))
    policies = []
    with collected.capture():
        policies = list(pages(iam, "list_policies", "Policies", Scope="Local", OnlyAttached=False))
    for policy in policies:
        collected.add(policy_record(iam, collected, policy))
    return collected


def account_record(iam, collected, account_id):
    # Keys are set only when read: a failed call leaves them out and the evaluator reports the gap.
    evidence = {}
    with collected.capture():
        summary = iam.get_account_summary()["SummaryMap"]
        evidence["root_mfa_enabled"] = bool(summary.get("AccountMFAEnabled"))
        evidence["root_access_keys_present"] = bool(summary.get("AccountAccessKeysPresent"))
    with collected.capture():
        evidence["password_policy"] = password_policy(iam)
    return Record(uid=account_uid(account_id), type="account", region=GLOBAL, name=account_id, evidence=evidence)


def password_policy(iam):
    """The account's password policy in snake_case, or None when it has none (IAM's weak defaults apply)."""
    try:
        policy = iam.get_account_password_policy()["PasswordPolicy"]
    except ClientError as error:
        if error_code(error) == ABSENT:
            return None
        raise
    return {
        "minimum_length": policy.get("MinimumPasswordLength"),
        "require_uppercase": policy.get("RequireUppercaseCharacters", False),
        "require_lowercase": policy.get("RequireLowercaseCharacters", False),
        "require_numbers": policy.get("RequireNumbers", False),
        "require_symbols": policy.get("RequireSymbols", False),
        "reuse_prevention": policy.get("PasswordReusePrevention"),
        "max_age_days": policy.get("MaxPasswordAge") if policy.get("ExpirePasswords") else None,
    }


def user_record(iam, collected, user):
    arn, name = user["Arn"], user["UserName"]
    evidence = {
        "created": iso(user.get("CreateDate")),
        "password_last_used": iso(user.get("PasswordLastUsed")),
        "has_console_password": None,
        "mfa_enabled": None,
        "access_keys": None,
    }
    with collected.capture(resource_uid=arn):
        evidence["has_console_password"] = has_login_profile(iam, name)
    with collected.capture(resource_uid=arn):
        evidence["mfa_enabled"] = any(True for _ in pages(iam, "list_mfa_devices", "MFADevices", UserName=name))
    with collected.capture(resource_uid=arn):
        evidence["access_keys"] = [
            {"id": key["AccessKeyId"], "status": key["Status"], "created": iso(key.get("CreateDate"))}
            for key in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
        ]
    return Record(uid=arn, type="iam.user", region=GLOBAL, name=name, evidence=evidence)


def has_login_profile(iam, name):
    try:
        iam.get_login_profile(UserName=name)
    except ClientError as error:
        if error_code(error) == ABSENT:
            return False  # no console password: the user signs in with keys only, if at all
        raise
    return True


def policy_record(iam, collected, policy):
    arn = policy["Arn"]
    evidence = {"attachment_count": policy.get("AttachmentCount", 0), "default_version": policy["DefaultVersionId"]}
    with collected.capture(resource_uid=arn, api="iam:GetPolicyVersion"):
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        statements = full_admin_statements(policy_document(version["Document"]))
        evidence["grants_full_admin"] = bool(statements)
        evidence["full_admin_statements"] = statements
    return Record(uid=arn, type="iam.policy", region=GLOBAL, name=policy["PolicyName"], evidence=evidence)


def policy_document(document):
    # boto3 decodes IAM policy documents; the raw API answers URL-encoded JSON text.
    return json.loads(unquote(document)) if isinstance(document, str) else document


def full_admin_statements(document):
    """Sids (or 1-based positions) of Allow statements granting every action on every resource."""
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return [
        statement.get("Sid") or f"#{index + 1}"
        for index, statement in enumerate(statements)
        if statement.get("Effect") == "Allow"
        and {"*", "*:*"} & set(as_list(statement.get("Action")))
        and "*" in as_list(statement.get("Resource"))
    ]


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def iso(moment):
    return moment.isoformat() if moment else None
