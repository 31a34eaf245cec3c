"""IAM, once per account: root account hygiene, the password policy, users' sign-in factors and keys, roles,
and customer-managed policies that grant everything; the names, descriptions and tags of users, roles and
policies (the tagging API does not cover IAM users and roles)."""

import json
from dataclasses import replace
from urllib.parse import unquote

from botocore.exceptions import ClientError

from checks.collectors.base import GLOBAL, Collected, error_code, pages, tags_dict
from checks.inventory import Record, account_uid

SERVICE = "iam"
SCOPE = "global"
IAM_ACTIONS = {
    "GetAccountSummary": "iam:GetAccountSummary",
    "GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy",
    "GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails",
    "ListUsers": "iam:ListUsers",
    "ListRoles": "iam:ListRoles",
    "GetLoginProfile": "iam:GetLoginProfile",
    "ListMFADevices": "iam:ListMFADevices",
    "ListAccessKeys": "iam:ListAccessKeys",
    "ListPolicyTags": "iam:ListPolicyTags",
}
ABSENT = "NoSuchEntity"
# Users, roles (with their tags) and customer-managed policies (with every version's document) in one paginated
# call: it replaces ListPolicies and a GetPolicyVersion per policy. The tagging API does not cover IAM.
DETAILS_API = "iam:GetAccountAuthorizationDetails"
DETAILS = ["User", "Role", "LocalManagedPolicy"]
# What the details lack, read with one listing each: when a user's console password was last used, and role
# descriptions (a free-form field hygiene judges). Customer-managed policies' tags take one call per policy.
USERS_API, ROLES_API, POLICY_TAGS_API = "iam:ListUsers", "iam:ListRoles", "iam:ListPolicyTags"
MOST_ITEMS = 1000  # the largest page IAM's listings return


def collect(ctx, region=GLOBAL):
    """IAM is global: one pass per account whatever `region` the scanner passes."""
    iam = ctx.client(SERVICE, GLOBAL)
    collected = Collected(SERVICE, GLOBAL)
    collected.add(account_record(iam, collected, ctx.account_id))
    details = {"UserDetailList": [], "RoleDetailList": [], "Policies": []}
    with collected.capture(api=DETAILS_API):
        details = account_details(iam)
    users, roles, policies = details["UserDetailList"], details["RoleDetailList"], details["Policies"]
    last_used = listing(iam, collected, "list_users", "Users", "PasswordLastUsed", USERS_API) if users else {}
    descriptions = role_descriptions(iam, collected, roles) if roles else {}
    for user in users:
        collected.add(user_record(iam, collected, user, last_used))
    for role in roles:
        collected.add(role_record(role, descriptions))
    for policy in policies:
        collected.add(policy_record(iam, collected, policy))
    return collected


def account_details(iam):
    """Every page of GetAccountAuthorizationDetails, its three lists joined."""
    found = {"UserDetailList": [], "RoleDetailList": [], "Policies": []}
    paginator = iam.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=DETAILS, PaginationConfig={"PageSize": MOST_ITEMS}):
        for key, items in found.items():
            items.extend(page.get(key, []))
    return found


def listing(iam, collected, operation, key, field, api):
    """{ARN: field} from one paginated listing; None (and a recorded error) if it failed."""
    with collected.capture(api=api):
        items = pages(iam, operation, key, PaginationConfig={"PageSize": MOST_ITEMS})
        return {item["Arn"]: item.get(field) for item in items}
    return None


def role_descriptions(iam, collected, roles):
    """{role ARN: description}; when ListRoles fails, the error is each role's (its hygiene is ERROR), never the
    account's: hygiene needs this call, and an account-wide gap would leave every resource unjudged."""
    descriptions = listing(iam, collected, "list_roles", "Roles", "Description", ROLES_API)
    if descriptions is None:
        failure = collected.errors.pop()
        collected.errors.extend(replace(failure, resource_uid=role["Arn"]) for role in roles)
    return descriptions


def account_record(iam, collected, account_id):
    # Keys are set only when read: a failed call leaves them out and the evaluator reports the gap.
    evidence = {}
    # Named calls: a transport error must not read as "iam:*", which would cover hygiene's IAM needs everywhere.
    with collected.capture(api="iam:GetAccountSummary"):
        summary = iam.get_account_summary()["SummaryMap"]
        evidence["root_mfa_enabled"] = bool(summary.get("AccountMFAEnabled"))
        evidence["root_access_keys_present"] = bool(summary.get("AccountAccessKeysPresent"))
    with collected.capture(api="iam:GetAccountPasswordPolicy"):
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


def user_record(iam, collected, user, last_used):
    arn, name = user["Arn"], user["UserName"]
    evidence = {
        "created": iso(user.get("CreateDate")),
        "has_console_password": None,
        "mfa_enabled": None,
        "access_keys": None,
    }
    if last_used is not None:  # left out when ListUsers failed: unknown, not "never used"
        evidence["password_last_used"] = iso(last_used.get(arn))
    with collected.capture(resource_uid=arn):
        evidence["has_console_password"] = has_login_profile(iam, name)
    with collected.capture(resource_uid=arn):
        evidence["mfa_enabled"] = any(True for _ in pages(iam, "list_mfa_devices", "MFADevices", UserName=name))
    with collected.capture(resource_uid=arn):
        evidence["access_keys"] = [
            {"id": key["AccessKeyId"], "status": key["Status"], "created": iso(key.get("CreateDate"))}
            for key in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
        ]
    return Record(
        uid=arn, type="iam.user", region=GLOBAL, name=name, evidence=evidence, tags=tags_dict(user.get("Tags"))
    )


def role_record(role, descriptions):
    arn = role["Arn"]
    evidence = {"path": role.get("Path", "/")}  # "/aws-service-role/": a role AWS made and named for a service
    if descriptions and descriptions.get(arn):
        evidence["description"] = descriptions[arn]
    return Record(
        uid=arn,
        type="iam.role",
        region=GLOBAL,
        name=role["RoleName"],
        evidence=evidence,
        tags=tags_dict(role.get("Tags")),
    )


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
    if policy.get("Description"):
        evidence["description"] = policy["Description"]
    with collected.capture(resource_uid=arn, api=DETAILS_API):
        statements = full_admin_statements(policy_document(default_version(policy)["Document"]))
        evidence["grants_full_admin"] = bool(statements)
        evidence["full_admin_statements"] = statements
    tags = {}
    with collected.capture(resource_uid=arn, api=POLICY_TAGS_API):
        tags = tags_dict(list(pages(iam, "list_policy_tags", "Tags", PolicyArn=arn)))
    # The ARN ends in the name (after the path); moto's details leave PolicyName out, AWS's carry it.
    name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]
    return Record(uid=arn, type="iam.policy", region=GLOBAL, name=name, evidence=evidence, tags=tags)


def default_version(policy):
    """The policy's default version from the details' PolicyVersionList (every version is listed there)."""
    [version] = [version for version in policy["PolicyVersionList"] if version.get("IsDefaultVersion")]
    return version


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
