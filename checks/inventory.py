"""What collectors hand to checks: plain, frozen records and the errors met while collecting.

Nothing here touches boto3 or the ORM, so checks stay pure and their tests need no AWS.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from checks.catalog.base import KeyOwner

GLOBAL = "global"
# A tag row: the tags the Resource Groups Tagging API read for one ARN (collectors/tagging.py). The inventory
# merges it into the record a collector made for that ARN and drops it when there is none: tags alone never
# make a resource.
TAG_ROW = "tags"
TAGGING_API = "resourcegroupstaggingapi:GetResources"
# Global resources whose tags the tagging API lists in one region: CloudFront's, in us-east-1. A failed tag read
# there leaves them unjudged too.
GLOBAL_TAGS_REGION = "us-east-1"
TAGS_REGION_OF_GLOBAL_TYPES = {"cloudfront.distribution": GLOBAL_TAGS_REGION}
UNUSABLE_KEY_STATES = frozenset(
    {"Disabled", "PendingDeletion", "PendingImport", "Unavailable", "PendingReplicaDeletion"}
)
NUL, REPLACEMENT = "\x00", "\ufffd"
ACCOUNTLESS_EC2_RESOURCES = ("snapshot/",)


def without_nul(value):
    """`value` with every NUL replaced by U+FFFD, in strings at any depth of dicts (keys too) and lists."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, tuple):
        return tuple(without_nul(item) for item in value)
    return value


@dataclass(frozen=True, eq=False)
class Record:
    uid: str
    type: str
    region: str
    name: str
    evidence: dict = field(default_factory=dict)
    key_arn: str | None = None
    tags: dict = field(default_factory=dict)

    def __post_init__(self):
        # AWS text may hold NUL, which PostgreSQL refuses in text and jsonb: one such name would fail the whole
        # scan's recording. Replaced here, where AWS data enters, so checks, reasons and rows all agree.
        for name in ("uid", "type", "region", "name", "evidence", "key_arn", "tags"):
            object.__setattr__(self, name, without_nul(getattr(self, name)))

    @property
    def service(self):
        return self.type.split(".", 1)[0]


@dataclass(frozen=True)
class CollectionError:
    """One API call (or a whole service/region) whose data could not be read."""

    service: str
    region: str
    api: str  # "s3:GetBucketPolicy"; "s3:*" when the whole service failed
    code: str
    message: str
    resource_uid: str = ""
    unavailable: bool = False  # the service does not answer at all here (retired/unsupported): NOT_APPLICABLE

    def __post_init__(self):
        # AWS error messages quote names, so they may hold NUL too (see Record).
        for name in ("service", "region", "api", "code", "message", "resource_uid"):
            object.__setattr__(self, name, without_nul(getattr(self, name)))

    @property
    def is_gap(self):
        """A hole in the scan's data: what makes a scan partial. A service that does not answer here at all
        (retired, as Proton is) is expected, not a gap: its checks are not applicable."""
        return not self.unavailable

    @classmethod
    def from_dict(cls, data):
        """The error as_dict() stored (on Scan.collection_errors)."""
        names = ("service", "region", "api", "code", "message", "resource_uid", "unavailable")
        return cls(**{name: data[name] for name in names if name in data})

    def covers(self, needs):
        service_wide = self.api.endswith(":*") and any(need.startswith(self.api[:-1]) for need in needs)
        return service_wide or self.api in needs

    def as_dict(self):
        return {
            "service": self.service,
            "region": self.region,
            "api": self.api,
            "code": self.code,
            "message": self.message[:500],
            "resource_uid": self.resource_uid,
            "unavailable": self.unavailable,
        }


def unreadable(error):
    """What to say of an answer botocore could not parse. An HTML error page (what a server that does not
    implement the API sends, as moto does for GetEbsDefaultKmsKeyId) is said in words, not quoted."""
    if "<html" in str(error).lower():
        return "The endpoint answered with an HTML error page, not an AWS response: it does not serve this API."
    return f"{type(error).__name__}: {error}"


def error_from_exception(error, service, region, resource_uid=""):
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        api = f"{service}:{error.operation_name}"
        code = info.get("Code") or str(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown"))
        return CollectionError(service, region, api, code, info.get("Message") or str(error), resource_uid)
    if isinstance(error, BotoCoreError):
        return CollectionError(service, region, f"{service}:*", type(error).__name__, str(error), resource_uid)
    if isinstance(error, ResponseParserError):
        return CollectionError(service, region, f"{service}:*", "UnreadableResponse", unreadable(error), resource_uid)
    # Malformed API data (a KeyError on a missing field, a bad type) is a gap too, never a silent pass.
    return CollectionError(
        service, region, f"{service}:*", "MalformedResponse", f"{type(error).__name__}: {error}", resource_uid
    )


class Collected:
    """What one collector returns for one region: records plus the errors it met."""

    def __init__(self, service, region):
        self.service = service
        self.region = region
        self.records: list[Record] = []
        self.errors: list[CollectionError] = []

    def add(self, record):
        self.records.append(record)
        return record

    def error(self, api, code, message, resource_uid="", region=None, unavailable=False):
        self.errors.append(
            CollectionError(self.service, region or self.region, api, code, message, resource_uid, unavailable)
        )

    @contextmanager
    def capture(self, resource_uid="", region=None, api=None):
        """Record any AWS or data error raised inside as a CollectionError and carry on."""
        try:
            yield
        except Exception as error:  # noqa: BLE001 - every failure must become a recorded gap
            found = error_from_exception(error, self.service, region or self.region, resource_uid)
            if api and not isinstance(error, ClientError):
                found = CollectionError(found.service, found.region, api, found.code, found.message, resource_uid)
            self.errors.append(found)


def is_aws_managed_key(evidence):
    """A kms.key's evidence says AWS manages it: KeyManager AWS, or an alias/aws/* alias.

    moto creates service default keys with KeyManager CUSTOMER (AWS says AWS); their alias settles it.
    """
    return evidence.get("key_manager") == "AWS" or any(
        alias.startswith("alias/aws/") for alias in evidence.get("aliases") or ()
    )


def tag_join_key(arn):
    """The ARN a tag row and a record are matched on: the one place ARN spellings are made to agree.

    AWS writes EBS snapshot ARNs without the owner's account (arn:aws:ec2:REGION::snapshot/ID, in IAM's
    reference), while moto's tagging API and collectors/ec2.py put the account in; either spelling joins.
    """
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "ec2" and parts[5].startswith(ACCOUNTLESS_EC2_RESOURCES):
        return ":".join([*parts[:4], "", parts[5]])
    return arn


def account_uid(account_id):
    return f"arn:aws:iam::{account_id}:root"


def region_uid(account_id, region):
    return f"arn:aws:ec2:{region}:{account_id}:region/{region}"


def concerns(error, record):
    """Whether `error` is about `record`: its own, or its region's (or the whole account's) listing failed."""
    if error.resource_uid:
        return error.resource_uid == record.uid
    if error.region in (record.region, GLOBAL):
        return True
    return error.api == TAGGING_API and error.region == TAGS_REGION_OF_GLOBAL_TYPES.get(record.type)


@dataclass
class Inventory:
    """Everything one scan collected for one account, with lookups the checks share."""

    account_id: str
    regions: tuple
    now: datetime
    records: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    trusted_account_ids: frozenset = frozenset()
    log_retention_min_days: int = 365

    def __post_init__(self):
        self._by_uid = {}
        for record in self.records:
            if record.type != TAG_ROW:
                self._merge(record)
        joins = {tag_join_key(uid): uid for uid in self._by_uid}
        for row in self.records:
            uid = joins.get(tag_join_key(row.uid)) if row.type == TAG_ROW else None
            if uid:
                self._merge(replace(row, uid=uid))
        self._ensure(account_uid(self.account_id), "account", GLOBAL, self.account_id)
        for region in self.regions:
            self._ensure(region_uid(self.account_id, region), "region", region, region)
        self.records = list(self._by_uid.values())
        self._by_type = {}
        for record in self.records:
            self._by_type.setdefault(record.type, []).append(record)
        self._keys = {}
        self._key_ids = {}
        self._aliases = {}
        for key in self._by_type.get("kms.key", []):
            self._keys[key.uid] = key
            # Indexed by bare key id too, so a key id resolves whatever the partition (aws-us-gov, aws-cn).
            self._key_ids[(key.region, key.uid.rsplit("/", 1)[-1])] = key
            for alias in key.evidence.get("aliases", []):
                self._aliases[(key.region, alias)] = key

    def _merge(self, record):
        # Several collectors may contribute evidence to the synthetic account/region records; tag rows add tags.
        existing = self._by_uid.get(record.uid)
        if existing is None:
            self._by_uid[record.uid] = record
            return
        evidence = {**existing.evidence, **record.evidence}
        self._by_uid[record.uid] = Record(
            existing.uid,
            existing.type,
            existing.region,
            existing.name or record.name,
            evidence,
            existing.key_arn or record.key_arn,
            {**existing.tags, **record.tags},
        )

    def _ensure(self, uid, type_, region, name):
        if uid not in self._by_uid:
            self._by_uid[uid] = Record(uid, type_, region, name)

    def by_type(self, type_):
        return self._by_type.get(type_, [])

    def get(self, uid):
        return self._by_uid.get(uid)

    @property
    def account(self):
        return self._by_uid[account_uid(self.account_id)]

    def region_record(self, region):
        return self._by_uid.get(region_uid(self.account_id, region))

    def errors_for(self, record, needs):
        """Errors that leave `record` unjudgeable by a check that reads `needs`."""
        return [
            error for error in self.errors if error.covers(needs) and not error.unavailable and concerns(error, record)
        ]

    def key(self, key_ref, region):
        """The collected kms.key record for an ARN, key id, alias name or alias ARN (None if unknown)."""
        if not key_ref:
            return None
        if key_ref.startswith("arn:"):
            parts = key_ref.split(":", 5)
            if len(parts) == 6 and parts[5].startswith("alias/"):
                return self._aliases.get((parts[3], parts[5]))
            return self._keys.get(key_ref)
        if key_ref.startswith("alias/"):
            return self._aliases.get((region, key_ref))
        return self._key_ids.get((region, key_ref))

    def key_account(self, key_ref):
        if key_ref and key_ref.startswith("arn:"):
            parts = key_ref.split(":")
            if len(parts) > 4 and parts[4]:
                return parts[4]
        return self.account_id

    def key_owner(self, key_ref, region):
        """Whose key protects a resource encrypted with `key_ref` (None/"" means the service's own key)."""
        if not key_ref:
            return KeyOwner.AWS_OWNED
        if self.key_account(key_ref) != self.account_id:
            return KeyOwner.EXTERNAL
        if "alias/aws/" in key_ref:
            return KeyOwner.AWS_MANAGED
        key = self.key(key_ref, region)
        if key is None:
            return KeyOwner.UNKNOWN
        if is_aws_managed_key(key.evidence):
            return KeyOwner.AWS_MANAGED
        # A listed key whose DescribeKey failed has no KeyManager: we cannot tell whose it is.
        if key.evidence.get("key_manager") is None:
            return KeyOwner.UNKNOWN
        return KeyOwner.CUSTOMER_MANAGED

    def key_arn(self, key_ref, region):
        """Best full ARN for a key reference (the resolved key's ARN when it was collected)."""
        key = self.key(key_ref, region)
        return key.uid if key else key_ref

    def kms_collected(self, region):
        """True when this region's keys were listed, so a missing key really is missing."""
        return not any(
            error.service == "kms" and error.region in (region, GLOBAL) and not error.resource_uid
            for error in self.errors
        )
