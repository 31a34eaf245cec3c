"""Key checks: the KMS keys an account owns, and the keys its resources depend on."""

from checks.catalog.base import (
    Area,
    KeyOwner,
    Severity,
    check,
    errored,
    failed,
    key_region,
    not_applicable,
    passed,
)
from checks.catalog.policies import policy_verdict
from checks.inventory import UNUSABLE_KEY_STATES, is_aws_managed_key

SYMMETRIC = "SYMMETRIC_DEFAULT"
GUIDANCE = "AWS Proton data-protection guidance"
KEY_ID_HINT = "<key-id>"


def customer_key_owner(key, inventory):
    return inventory.key_owner(key.uid, key.region)


@check(
    "kms.key_rotation_enabled",
    title="Customer-managed keys rotate automatically",
    area=Area.KEYS,
    severity=Severity.MEDIUM,
    resource_type="kms.key",
    needs=("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"),
    rationale=(
        f"{GUIDANCE}: when you supply a customer owned and managed KMS key, all customer data is encrypted "
        "with it, so its upkeep is yours. Automatic rotation replaces the key material on a schedule and "
        "limits how much data one key version protects. AWS-managed keys are rotated by AWS and are not "
        "judged; asymmetric, HMAC, imported-material and disabled keys cannot rotate automatically and are "
        "reported not applicable."
    ),
    remediation=(
        "Console: KMS › Customer managed keys › the key › Key rotation › Automatically rotate this KMS key. "
        f"CLI: aws kms enable-key-rotation --key-id {KEY_ID_HINT} --rotation-period-in-days 365"
    ),
)
def key_rotation_enabled(key, inventory):
    evidence = key.evidence
    if is_aws_managed_key(evidence):
        return None  # AWS rotates its own keys every year; nothing here for the customer to act on
    owner = customer_key_owner(key, inventory)
    state, spec, origin = evidence.get("state"), evidence.get("key_spec"), evidence.get("origin")
    if state != "Enabled":
        return not_applicable(f"Key is {state}; rotation is judged while a key is enabled.", owner)
    if spec != SYMMETRIC:
        return not_applicable(f"Key spec {spec} does not support automatic rotation.", owner)
    if origin != "AWS_KMS":
        return not_applicable(f"Key material comes from {origin}, which KMS cannot rotate automatically.", owner)
    rotation = evidence.get("rotation_enabled")
    if rotation is None:
        return errored("The key's rotation status was not collected.", owner)
    if not rotation:
        return failed("Automatic key rotation is off.", owner)
    period = evidence.get("rotation_period_days")
    return passed(
        f"Automatic key rotation is on (every {period} days)." if period else "Automatic key rotation is on.", owner
    )


def deletion_phrase(key):
    date = key.evidence.get("deletion_date")
    return f"scheduled for deletion on {date[:10]}" if date else "scheduled for deletion"


@check(
    "kms.key_in_use_unusable",
    title="Resources are not encrypted with a disabled, deleted or missing key",
    area=Area.KEYS,
    severity=Severity.CRITICAL,
    resource_type="*",
    # Listing gaps are judged in the check (kms_collected), so unencrypted resources do not turn into errors.
    needs=("kms:DescribeKey",),
    rationale=(
        f"{GUIDANCE}: data encrypted at rest with a KMS key can only be read while that key is usable. "
        "When the key is disabled, pending deletion or gone, AWS services can no longer fetch it and the "
        "data is unreadable — and after deletion it is lost for good."
    ),
    remediation=(
        "Console: KMS › the key › Key actions › Enable (or Cancel key deletion, then Enable). "
        f"CLI: aws kms cancel-key-deletion --key-id {KEY_ID_HINT} && aws kms enable-key --key-id "
        f"{KEY_ID_HINT}. A deleted key cannot be recovered: restore the data from a backup."
    ),
)
def key_in_use_unusable(record, inventory):
    key_ref = record.key_arn
    if not key_ref:
        return None
    owner = inventory.key_owner(key_ref, record.region)
    if owner == KeyOwner.EXTERNAL:
        account = inventory.key_account(key_ref)
        return not_applicable(f"Key {key_ref} belongs to account {account}; its state is only visible there.", owner)
    key = inventory.key(key_ref, record.region)
    if key is None:
        return missing_key(key_ref, key_region(key_ref, record.region), inventory, owner)
    state = key.evidence.get("state")
    if state is None:
        return errored(f"Key {key.name} is listed but could not be described.", owner)
    if state == "PendingDeletion":
        return failed(f"Encrypted with key {key.name}, which is {deletion_phrase(key)}.", owner)
    if state in UNUSABLE_KEY_STATES:
        return failed(f"Encrypted with key {key.name}, which is {state}.", owner)
    return passed(f"Key {key.name} is {state}.", owner)


def missing_key(key_ref, region, inventory, owner):
    if "alias/aws/" in key_ref:
        # AWS creates its service keys on first use and never lets them be disabled or deleted.
        return passed(f"Key {key_ref} is AWS-managed; AWS keeps it usable.", owner)
    if region not in inventory.regions:
        return not_applicable(f"Key {key_ref} is in {region}, a region this scan does not cover.", owner)
    if not inventory.kms_collected(region):
        return errored(f"Key {key_ref} could not be checked: KMS keys in {region} were not listed.", owner)
    return failed(f"Encrypted with key {key_ref}, which does not exist in the account.", owner)


def records_using(key, inventory):
    return [
        record
        for record in inventory.records
        if record.key_arn and (found := inventory.key(record.key_arn, record.region)) and found.uid == key.uid
    ]


def usage_phrase(users):
    if not users:
        return "No collected resource uses it."
    names = ", ".join(record.name for record in users[:3])
    more = f" and {len(users) - 3} more" if len(users) > 3 else ""
    return f"Used by {len(users)} collected resource(s): {names}{more}."


@check(
    "kms.key_pending_deletion",
    title="No key is scheduled for deletion",
    area=Area.KEYS,
    severity=Severity.HIGH,
    resource_type="kms.key",
    needs=("kms:ListKeys", "kms:DescribeKey"),
    rationale=(
        f"{GUIDANCE}: data encrypted with a customer-managed key depends on it. Deleting a KMS key is "
        "irreversible and makes everything encrypted under it unrecoverable, including data outside "
        "this inventory (backups, client-side encrypted objects), so every pending deletion deserves a look "
        "before the waiting period ends."
    ),
    remediation=(
        "Console: KMS › Customer managed keys › the key › Key actions › Cancel key deletion, then Enable. "
        f"CLI: aws kms cancel-key-deletion --key-id {KEY_ID_HINT} && aws kms enable-key --key-id "
        f"{KEY_ID_HINT}"
    ),
)
def key_pending_deletion(key, inventory):
    if is_aws_managed_key(key.evidence):
        return None  # AWS-managed keys cannot be scheduled for deletion
    owner = customer_key_owner(key, inventory)
    state = key.evidence.get("state")
    if state is None:
        return errored("The key's state was not collected.", owner)
    if state != "PendingDeletion":
        return passed(f"Key is {state}, not scheduled for deletion.", owner)
    users = records_using(key, inventory)
    return failed(f"Key is {deletion_phrase(key)}. {usage_phrase(users)}", owner)


@check(
    "kms.key_policy_not_public",
    title="Key policies do not open the key to everyone",
    area=Area.KEYS,
    severity=Severity.CRITICAL,
    resource_type="kms.key",
    needs=("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyPolicy"),
    rationale=(
        f"{GUIDANCE}: protect data with individual identities given only the permissions they need. A key "
        'policy that allows Principal "*" without a condition naming your accounts, organisation, '
        "resources or the calling service lets any AWS principal use or manage the key."
    ),
    remediation=(
        "Console: KMS › Customer managed keys › the key › Key policy › Edit: name the principals, or add a "
        "condition such as aws:PrincipalOrgID, aws:SourceAccount or kms:CallerAccount. "
        f"CLI: aws kms put-key-policy --key-id {KEY_ID_HINT} --policy-name default --policy file://policy.json"
    ),
)
def key_policy_not_public(key, inventory):
    if is_aws_managed_key(key.evidence):
        return None  # AWS writes and maintains the policies of its own keys
    return policy_verdict(key, "Key policy", customer_key_owner(key, inventory))


@check(
    "kms.external_account_key",
    title="Resources are encrypted with keys of this account or a trusted one",
    area=Area.KEYS,
    severity=Severity.INFORMATIONAL,
    resource_type="*",
    # The judgement reads only the resource's key reference and the trusted-account list. DescribeKey is
    # the KMS call behind key ownership; its errors are per key, so they never turn other resources into ERROR.
    needs=("kms:DescribeKey",),
    rationale=(
        f"{GUIDANCE}: prefer keys you own and manage. Data encrypted with another account's key can be "
        "made unreadable by that account at any time (disable, delete or change its policy), and its "
        "owner can see every use of the key in its CloudTrail. This is the one check that judges whether that "
        "account is trusted; the customer-managed-key checks count any account's customer-managed key."
    ),
    remediation=(
        "Re-encrypt the data with a key of this account (for example copy the snapshot or object with a new "
        "KMS key: aws ec2 copy-snapshot --encrypted --kms-key-id <your-key-arn> …), or, when the other "
        "account is yours, list it among the trusted accounts in Posture."
    ),
)
def external_account_key(record, inventory):
    key_ref = record.key_arn
    if not key_ref:
        return None
    account = inventory.key_account(key_ref)
    if account == inventory.account_id:
        return None
    if account in inventory.trusted_account_ids:
        return passed(f"Encrypted with key {key_ref} of trusted account {account}.", KeyOwner.EXTERNAL)
    return failed(
        f"Encrypted with key {key_ref} of account {account}, which is not listed as trusted.", KeyOwner.EXTERNAL
    )
