"""Identity checks: the root user, IAM users' sign-in factors and keys, the password policy, admin policies."""

from datetime import datetime, timedelta

from checks.catalog.base import Area, Severity, check, errored, failed, not_applicable, passed

GUIDANCE = "AWS Proton data-protection guidance"
MAX_KEY_AGE = timedelta(days=90)
# What "strong" means here: CIS AWS Foundations Benchmark 3.0 (1.8 length >= 14, 1.9 reuse prevention >= 24)
# plus the four character classes of AWS Security Hub IAM.7. Forced expiry is not required: NIST SP 800-63B
# advises against periodic changes (they breed predictable passwords) and CIS dropped it in v1.4.
MIN_PASSWORD_LENGTH = 14
MIN_REUSE_PREVENTION = 24
CHARACTER_CLASSES = {
    "require_uppercase": "uppercase letters",
    "require_lowercase": "lowercase letters",
    "require_numbers": "numbers",
    "require_symbols": "symbols",
}


def not_collected(what):
    return errored(f"{what} was not collected.")


@check(
    "iam.root_mfa_enabled",
    title="The root user signs in with MFA",
    area=Area.IDENTITY,
    severity=Severity.CRITICAL,
    resource_type="account",
    needs=("iam:GetAccountSummary",),
    rationale=(
        f"{GUIDANCE}: use multi-factor authentication (MFA) with each account. The root user can do "
        "anything, including closing the account and changing every key policy; a password alone is "
        "too little to protect it."
    ),
    remediation=(
        "Console: sign in as the root user › account menu › Security credentials › Multi-factor "
        "authentication › Assign MFA device (root MFA can only be set by the root user in the console). "
        "CLI (verify): aws iam get-account-summary --query SummaryMap.AccountMFAEnabled"
    ),
)
def root_mfa_enabled(account, inventory):
    enabled = account.evidence.get("root_mfa_enabled")
    if enabled is None:
        return not_collected("The account summary")
    if enabled:
        return passed("The root user has MFA enabled.")
    return failed("The root user has no MFA device.")


@check(
    "iam.root_access_keys_absent",
    title="The root user has no access keys",
    area=Area.IDENTITY,
    severity=Severity.CRITICAL,
    resource_type="account",
    needs=("iam:GetAccountSummary",),
    rationale=(
        f"{GUIDANCE}: protect AWS account credentials and set up individual IAM identities. Access keys "
        "of the root user are long-lived credentials with unlimited power that no policy can restrict."
    ),
    remediation=(
        "Console: sign in as the root user › account menu › Security credentials › Access keys › "
        "Deactivate, then Delete. CLI (with the root user's credentials): "
        "aws iam delete-access-key --access-key-id <root-access-key-id>"
    ),
)
def root_access_keys_absent(account, inventory):
    present = account.evidence.get("root_access_keys_present")
    if present is None:
        return not_collected("The account summary")
    if present:
        return failed("The root user has at least one access key.")
    return passed("The root user has no access keys.")


@check(
    "iam.user_console_mfa",
    title="Every IAM user with a console password has MFA",
    area=Area.IDENTITY,
    severity=Severity.HIGH,
    resource_type="iam.user",
    needs=("iam:GetAccountAuthorizationDetails", "iam:GetLoginProfile", "iam:ListMFADevices"),
    rationale=(
        f"{GUIDANCE}: use multi-factor authentication (MFA) with each account and individual IAM "
        "identities. A console password without MFA is one phished or reused password away from the "
        "account. Users without a console password are not applicable: they cannot sign in to the "
        "console, and their access keys are judged by iam.access_keys_rotated_90d."
    ),
    remediation=(
        "Console: IAM › Users › the user › Security credentials › Multi-factor authentication › Assign MFA "
        "device (or remove the console password if it is not needed). CLI: aws iam "
        "create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile qr.png --bootstrap-method "
        "QRCodePNG && aws iam enable-mfa-device --user-name <user> --serial-number <device-arn> "
        "--authentication-code1 <code1> --authentication-code2 <code2>"
    ),
)
def user_console_mfa(user, inventory):
    has_password = user.evidence.get("has_console_password")
    if has_password is None:
        return not_collected("The user's login profile")
    if not has_password:
        return not_applicable("The user has no console password.")
    mfa = user.evidence.get("mfa_enabled")
    if mfa is None:
        return not_collected("The user's MFA devices")
    if mfa:
        return passed("The user has a console password and an MFA device.")
    return failed(f"The user has a console password{password_use(user.evidence)} and no MFA device.")


def password_use(evidence):
    """ " (last used …)", " (never used)", or nothing when it could not be read (iam:ListUsers failed)."""
    if "password_last_used" not in evidence:
        return ""
    last_used = evidence["password_last_used"]
    return f" (last used {last_used[:10]})" if last_used else " (never used)"


def key_age(key, now):
    return now - datetime.fromisoformat(key["created"])


@check(
    "iam.access_keys_rotated_90d",
    title="Active access keys are younger than 90 days",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource_type="iam.user",
    needs=("iam:GetAccountAuthorizationDetails", "iam:ListAccessKeys"),
    rationale=(
        f"{GUIDANCE}: protect AWS account credentials. Access keys are long-lived secrets that end up in "
        "scripts, laptops and CI logs; rotating them at least every 90 days limits how long a leaked key "
        "stays useful. Inactive keys cannot sign requests and are ignored."
    ),
    remediation=(
        "Console: IAM › Users › the user › Security credentials › Create access key; move the workload to "
        "it, then Deactivate and Delete the old key. CLI: aws iam create-access-key --user-name <user>; "
        "aws iam update-access-key --user-name <user> --access-key-id <old-key-id> --status Inactive; "
        "aws iam delete-access-key --user-name <user> --access-key-id <old-key-id>"
    ),
)
def access_keys_rotated_90d(user, inventory):
    keys = user.evidence.get("access_keys")
    if keys is None:
        return not_collected("The user's access keys")
    active = [key for key in keys if key.get("status") == "Active"]
    if not active:
        return not_applicable("The user has no active access keys.")
    if any(not key.get("created") for key in active):
        return errored("An active access key has no creation date.")
    old = [key for key in active if key_age(key, inventory.now) >= MAX_KEY_AGE]
    if old:
        ages = ", ".join(f"{key['id']} ({key_age(key, inventory.now).days} days)" for key in old)
        return failed(f"Active access key(s) older than 90 days: {ages}.")
    oldest = max(key_age(key, inventory.now).days for key in active)
    return passed(f"{len(active)} active access key(s), the oldest {oldest} days old.")


def password_policy_shortfalls(policy):
    shortfalls = []
    length = policy.get("minimum_length") or 0
    if length < MIN_PASSWORD_LENGTH:
        shortfalls.append(f"minimum length {length} (needs {MIN_PASSWORD_LENGTH})")
    missing = [label for field, label in CHARACTER_CLASSES.items() if not policy.get(field)]
    if missing:
        shortfalls.append(f"does not require {', '.join(missing)}")
    reuse = policy.get("reuse_prevention") or 0
    if reuse < MIN_REUSE_PREVENTION:
        shortfalls.append(f"remembers {reuse} previous passwords (needs {MIN_REUSE_PREVENTION})")
    return shortfalls


@check(
    "iam.password_policy_strong",
    title="The IAM password policy is strong",
    area=Area.IDENTITY,
    severity=Severity.MEDIUM,
    resource_type="account",
    needs=("iam:GetAccountPasswordPolicy",),
    rationale=(
        f"{GUIDANCE}: protect AWS account credentials. Strong here means: at least {MIN_PASSWORD_LENGTH} "
        "characters, uppercase, lowercase, numbers and symbols required, and the last "
        f"{MIN_REUSE_PREVENTION} passwords not reusable (CIS AWS Foundations Benchmark 3.0 controls 1.8 and "
        "1.9, AWS Security Hub IAM.7). Forced expiry is not required: NIST SP 800-63B advises against "
        "periodic password changes, and CIS dropped that control."
    ),
    remediation=(
        "Console: IAM › Account settings › Password policy › Edit. CLI: aws iam "
        f"update-account-password-policy --minimum-password-length {MIN_PASSWORD_LENGTH} "
        "--require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols "
        f"--password-reuse-prevention {MIN_REUSE_PREVENTION}"
    ),
)
def password_policy_strong(account, inventory):
    if "password_policy" not in account.evidence:
        return not_collected("The account password policy")
    policy = account.evidence["password_policy"]
    if policy is None:
        return failed("The account has no password policy, so IAM's weak defaults apply.")
    shortfalls = password_policy_shortfalls(policy)
    if shortfalls:
        return failed(f"The password policy is weak: {'; '.join(shortfalls)}.")
    return passed(
        f"The password policy requires {policy['minimum_length']}+ characters of every class and "
        f"blocks reuse of the last {policy['reuse_prevention']}."
    )


@check(
    "iam.no_full_admin_custom_policies",
    title="No customer-managed policy grants every action on every resource",
    area=Area.IDENTITY,
    severity=Severity.HIGH,
    resource_type="iam.policy",
    needs=("iam:GetAccountAuthorizationDetails",),
    rationale=(
        f"{GUIDANCE}: give each identity only the permissions necessary to fulfil its job duties. A policy "
        'that allows Action "*" on Resource "*" grants full administrator rights to whoever holds it, '
        "including over every key and every copy of your data. Unattached policies fail too: they can be "
        "attached at any time."
    ),
    remediation=(
        "Console: IAM › Policies › the policy › Edit: list the actions and resources the job needs (or "
        "attach the AWS-managed AdministratorAccess to the few who truly need it). CLI: aws iam "
        "create-policy-version --policy-arn <policy-arn> --policy-document file://least-privilege.json "
        "--set-as-default"
    ),
)
def no_full_admin_custom_policies(policy, inventory):
    grants = policy.evidence.get("grants_full_admin")
    if grants is None:
        return not_collected("The policy's default version")
    if not grants:
        return passed("The policy grants no '*' action on '*' resources.")
    sids = ", ".join(policy.evidence.get("full_admin_statements") or [])
    attached = policy.evidence.get("attachment_count") or 0
    return failed(f"Statement(s) {sids} allow every action on every resource; attached to {attached} identities.")
