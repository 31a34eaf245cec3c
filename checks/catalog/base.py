"""The vocabulary of the check catalog and its registry (shaped like Django's system checks)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


class Status(models.TextChoices):
    PASS = "PASS", "Pass"
    FAIL = "FAIL", "Fail"
    ERROR = "ERROR", "Error"
    NOT_APPLICABLE = "NOT_APPLICABLE", "Not applicable"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFORMATIONAL = "informational", "Informational"


SEVERITY_WEIGHT = {
    Severity.CRITICAL: 10,
    Severity.HIGH: 5,
    Severity.MEDIUM: 3,
    Severity.LOW: 1,
    Severity.INFORMATIONAL: 0,
}


class Area(models.TextChoices):
    AT_REST = "at_rest", "Encryption at rest"
    KEYS = "keys", "Keys"
    IN_TRANSIT = "in_transit", "Encryption in transit"
    ACCESS = "access", "Public access"
    LOGGING = "logging", "Logging"
    IDENTITY = "identity", "Identity"
    HYGIENE = "hygiene", "Data hygiene"


class KeyOwner(models.TextChoices):
    AWS_OWNED = "aws_owned", "AWS-owned"
    AWS_MANAGED = "aws_managed", "AWS-managed"
    CUSTOMER_MANAGED = "customer_managed", "Customer-managed"
    EXTERNAL = "external", "Another account's"
    UNENCRYPTED = "unencrypted", "Unencrypted"
    UNKNOWN = "unknown", "Unknown"


@dataclass(frozen=True)
class Result:
    status: str
    reason: str
    key_owner: str | None = None

    def __post_init__(self):
        # Reasons quote AWS text, and PostgreSQL refuses NUL in text: see inventory.Record.
        if "\x00" in self.reason:
            object.__setattr__(self, "reason", self.reason.replace("\x00", "\ufffd"))


def passed(reason, key_owner=None):
    return Result(Status.PASS, reason, key_owner)


def failed(reason, key_owner=None):
    return Result(Status.FAIL, reason, key_owner)


def errored(reason, key_owner=None):
    return Result(Status.ERROR, reason, key_owner)


def not_applicable(reason, key_owner=None):
    return Result(Status.NOT_APPLICABLE, reason, key_owner)


# The one rule of every *_customer_managed_key check for a key held by another account. AWS-managed keys
# cannot be used across accounts, so such a key is that account's customer-managed key: it counts, and
# whether that account is trusted is judged once, by kms.external_account_key (one untrusted key, one FAIL).
EXTERNAL_KEY_RATIONALE = (
    "A key held by another account is that account's customer-managed key and counts here; whether that "
    "account is trusted is judged once, by kms.external_account_key."
)


def passed_external_key(subject, key_ref, inventory):
    """PASS for a customer-managed-key check whose key another account holds (see EXTERNAL_KEY_RATIONALE)."""
    account = inventory.key_account(key_ref)
    return passed(
        f"{subject}, a customer-managed key of account {account}; "
        "whether that account is trusted is judged by kms.external_account_key.",
        key_owner=KeyOwner.EXTERNAL,
    )


# The one rule of every *_customer_managed_key check for a key this scan could not describe (key owner
# "unknown"): whose key it is decides PASS or FAIL, and nothing read says, so it is ERROR — never a PASS
# for what was not seen, never a FAIL without evidence. A missing key itself fails kms.key_in_use_unusable.
UNKNOWN_KEY_RATIONALE = (
    "A key this scan could not describe (its region's keys not listed, kms:DescribeKey refused, or the key gone) "
    "is an ERROR naming the key and what could not be read: whose key it is is not known, so it neither passes "
    "nor fails here (kms.key_in_use_unusable fails a key that no longer exists)."
)


def key_region(key_ref, region):
    """The region in a key ARN, else `region` (a key id or alias resolves in the resource's own region)."""
    parts = key_ref.split(":") if key_ref.startswith("arn:") else []
    return parts[3] if len(parts) > 3 and parts[3] else region


def errored_unknown_key(subject, key_ref, region, inventory):
    """ERROR for a customer-managed-key check whose key could not be described (see UNKNOWN_KEY_RATIONALE)."""
    cause = unknown_key_cause(key_ref, region, inventory)
    return errored(f"{subject}, a key this scan could not describe: {cause}.", key_owner=KeyOwner.UNKNOWN)


def customer_managed_key_verdict(subject, key_ref, region, inventory):
    """A *_customer_managed_key check's verdict for a resource encrypted with `key_ref` (None: an AWS-owned key).

    `subject` starts the reason and ends where the key is named: "Vault encrypts its backups with".
    """
    if not key_ref:
        return failed(f"{subject} an AWS-owned key.", key_owner=KeyOwner.AWS_OWNED)
    owner = inventory.key_owner(key_ref, region)
    if owner == KeyOwner.AWS_MANAGED:
        return failed(f"{subject} the AWS-managed key {key_ref}.", key_owner=owner)
    if owner == KeyOwner.CUSTOMER_MANAGED:
        return passed(f"{subject} the customer-managed key {key_ref}.", key_owner=owner)
    if owner == KeyOwner.EXTERNAL:
        return passed_external_key(f"{subject} {key_ref}", key_ref, inventory)
    return errored_unknown_key(f"{subject} {key_ref}", key_ref, region, inventory)


def unknown_key_cause(key_ref, region, inventory):
    """What was not read about a key whose owner is "unknown", naming the key's ARN where it was resolved."""
    key = inventory.key(key_ref, region)
    if key is not None:
        codes = sorted({error.code for error in inventory.errors if error.resource_uid == key.uid})
        return f"kms:DescribeKey failed on {key.uid} ({', '.join(codes) or 'no answer recorded'})"
    region = key_region(key_ref, region)
    if region not in inventory.regions:
        return f"{key_ref} is in {region}, a region this scan does not cover"
    if not inventory.kms_collected(region):
        return f"the KMS keys of {region} could not be listed (kms:ListKeys or kms:ListAliases failed)"
    # ListKeys lists every key of the account, AWS-managed and pending deletion too: this one is gone.
    return f"{key_ref} is not among this account's KMS keys listed in {region} (deleted, or never there)"


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    area: str
    severity: str
    resource_type: str
    needs: tuple[str, ...]
    rationale: str
    remediation: str
    fn: Callable = field(repr=False, compare=False)
    tolerates: tuple[str, ...] = ()

    def run(self, record, inventory):
        return self.fn(record, inventory)

    @property
    def required(self):
        """The needs whose failure on a resource makes it ERROR before the check runs: all but `tolerates`."""
        return tuple(need for need in self.needs if need not in self.tolerates)

    def as_dict(self):
        return {
            "id": self.id,
            "title": self.title,
            "area": str(self.area),
            "severity": str(self.severity),
            "resource_type": self.resource_type,
            "needs": list(self.needs),
            "rationale": self.rationale,
            "remediation": self.remediation,
        }


CATALOG: dict[str, Check] = {}


def checks_by_area():
    """[(Area, [Check, ...])] for every area in Area order, an area without checks too; catalog order inside."""
    groups = {area: [] for area in Area}
    for check in CATALOG.values():
        groups[Area(check.area)].append(check)
    return list(groups.items())


def check(id, *, title, area, severity, resource_type, needs, rationale, remediation, tolerates=()):
    """Register a check under its public id; `needs` lists the API calls ("s3:GetBucketPolicy") it reads.

    `tolerates`: those of `needs` whose failure on one resource the check judges itself, because other data may
    settle the verdict without it (S3's Block Public Access makes an unread bucket policy moot). The evaluator
    turns a failed need into ERROR before the check runs only for the others.
    """

    def register(fn):
        if id in CATALOG:
            raise ValueError(f"Check id {id!r} is registered twice.")
        if not set(tolerates) <= set(needs):
            raise ValueError(f"Check {id!r} tolerates calls it does not need: {sorted(set(tolerates) - set(needs))}.")
        CATALOG[id] = Check(
            id, title, area, severity, resource_type, tuple(needs), rationale, remediation, fn, tuple(tolerates)
        )
        return fn

    return register
