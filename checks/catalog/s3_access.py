"""S3 public access: the Block Public Access settings in force on a bucket, and whether anything opens it to everyone.

S3 applies, per setting, the stricter of the bucket's and the account's Block Public Access (an account-level
setting covers every bucket). A policy that is public by the one rule (checks/catalog/policies.py) opens the
bucket unless RestrictPublicBuckets is in force; a public ACL grant opens it unless IgnorePublicAcls is.
BlockPublicAcls and BlockPublicPolicy only refuse new public ACLs and policies: they neutralise nothing that
is already there. cloudtrail.bucket_not_public judges a trail's bucket by the same functions.

Evidence (collectors/s3.py): the bucket's settings under BUCKET_BLOCK_KEY and the account's on the account
record under ACCOUNT_BLOCK_KEY (None: no configuration, all four off); a setting whose call failed is known
from the scan's errors, never from a missing value. The public part of the bucket policy under POLICY_EVIDENCE,
the public ACL grants under ACL_EVIDENCE (None: not read — the call failed, or IgnorePublicAcls made it moot).
"""

from collections.abc import Callable
from dataclasses import dataclass

from checks.catalog.base import Area, Severity, check, errored, failed, passed
from checks.catalog.policies import ACCESS_GUIDANCE, POLICY_EVIDENCE, PUBLIC_RULE, public_phrase, public_statements

ACCOUNT_BLOCK_KEY = "s3_account_public_access_block"
ACCOUNT_BLOCK_API = "s3control:GetPublicAccessBlock"
BUCKET_BLOCK_KEY = "public_access_block"
BUCKET_BLOCK_API = "s3:GetPublicAccessBlock"
ACL_EVIDENCE = "acl_public_grants"
# Evidence keys → the names AWS shows in the console, the CLI and its documentation.
BLOCK_FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}
ACL_GROUP_LABELS = {"AllUsers": "everyone (AllUsers)", "AuthenticatedUsers": "any AWS account (AuthenticatedUsers)"}
GUIDANCE = (
    f"{ACCESS_GUIDANCE} S3 buckets and objects are private by default; AWS recommends all four Block Public "
    "Access settings on for the account."
)
BLOCK_ALL_CLI = (
    "aws s3control put-public-access-block --account-id ACCOUNT_ID --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true "
    "(or for one bucket: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true)"
)


# ---- the settings in force ------------------------------------------------------------------------------------


def failure(inventory, uid, api):
    """The codes of `api`'s failures on `uid` in this scan, as " (AccessDenied)"; "" when it did not fail."""
    codes = sorted({error.code for error in inventory.errors if error.resource_uid == uid and error.api == api})
    return f" ({', '.join(codes)})" if codes else ""


def bucket_level(bucket, inventory):
    """The bucket's own settings ({} when it has none), or None when they could not be read."""
    if failure(inventory, bucket.uid, BUCKET_BLOCK_API):
        return None
    return bucket.evidence.get(BUCKET_BLOCK_KEY) or {}


def account_level(inventory):
    """The account's settings ({} when it has none), or None when they could not be read."""
    account = inventory.account
    if ACCOUNT_BLOCK_KEY not in account.evidence or failure(inventory, account.uid, ACCOUNT_BLOCK_API):
        return None
    return account.evidence[ACCOUNT_BLOCK_KEY] or {}


def levels(bucket, inventory):
    return bucket_level(bucket, inventory), account_level(inventory)


def in_force(flag, bucket_block, account_block):
    """True when the bucket or the account turns `flag` on, False when both are read and off, None when unknown."""
    known = [level for level in (bucket_block, account_block) if level is not None]
    if any(level.get(flag) for level in known):
        return True
    return False if len(known) == 2 else None


def where_on(flags, bucket_block, account_block):
    """Where the `flags` in force come from: "on the bucket", "at the account" or both."""
    on_bucket = all((bucket_block or {}).get(flag) for flag in flags)
    on_account = all((account_block or {}).get(flag) for flag in flags)
    if on_bucket and on_account:
        return "on the bucket and at the account"
    if on_bucket:
        return "on the bucket"
    return "at the account" if on_account else "between the bucket and the account"


def names(flags):
    return ", ".join(BLOCK_FLAGS[flag] for flag in flags)


def unread_phrase(flags, bucket, inventory):
    """Why `flags` are unknown ("BlockPublicPolicy is off at the account, and the bucket's … could not be read")."""
    bucket_block, account_block = levels(bucket, inventory)
    bucket_why = failure(inventory, bucket.uid, BUCKET_BLOCK_API)
    account_why = failure(inventory, inventory.account.uid, ACCOUNT_BLOCK_API)
    if bucket_block is None and account_block is None:
        return f"Block Public Access settings could not be read: the bucket's{bucket_why}, the account's{account_why}"
    if bucket_block is None:
        read, unread = "at the account", f"the bucket's Block Public Access settings could not be read{bucket_why}"
    else:
        read, unread = "on the bucket", f"the account's Block Public Access settings could not be read{account_why}"
    return f"{names(flags)} {'is' if len(flags) == 1 else 'are'} off {read}, and {unread}"


def block_verdict(bucket, inventory):
    """PASS when all four settings are in force, FAIL when one is off at both levels, else ERROR."""
    bucket_block, account_block = levels(bucket, inventory)
    state = {flag: in_force(flag, bucket_block, account_block) for flag in BLOCK_FLAGS}
    if all(state.values()):
        return passed(
            f"All four Block Public Access settings are on ({where_on(BLOCK_FLAGS, bucket_block, account_block)})."
        )
    off = [flag for flag, on in state.items() if on is False]
    if off:
        return failed(f"Block Public Access is off for {names(off)} on the bucket and at the account.")
    unknown = [flag for flag, on in state.items() if on is None]
    return errored(f"{unread_phrase(unknown, bucket, inventory)}.")


@check(
    "s3.bucket_public_access_blocked",
    title="Bucket has all four Block Public Access settings on (bucket or account)",
    area=Area.ACCESS,
    severity=Severity.HIGH,
    resource_type="s3.bucket",
    # When the bucket's own settings cannot be read, the account's may still settle the verdict.
    needs=("s3:ListBuckets", BUCKET_BLOCK_API, ACCOUNT_BLOCK_API),
    tolerates=(BUCKET_BLOCK_API,),
    rationale=f"{GUIDANCE} Block Public Access overrides every bucket policy and ACL: with BlockPublicAcls and "
    "BlockPublicPolicy S3 refuses new public grants, with IgnorePublicAcls and RestrictPublicBuckets it ignores "
    "existing ones. S3 applies each setting when the bucket or the account turns it on, so a bucket passes when "
    "each of the four is on at one level or the other. A level whose settings could not be read is an ERROR "
    "unless the other level turns every missing setting on.",
    remediation="Console: S3 › Block Public Access settings for this account › Edit: turn on Block all public "
    "access (or for one bucket: the bucket › Permissions › Block public access › Edit). "
    f"CLI: {BLOCK_ALL_CLI}",
)
def bucket_public_access_blocked(bucket, inventory):
    return block_verdict(bucket, inventory)


# ---- what opens a bucket to everyone ------------------------------------------------------------------------


def acl_phrase(grants):
    parts = [
        f"{grant.get('permission')} to {ACL_GROUP_LABELS.get(grant.get('grantee'), grant.get('grantee'))}"
        for grant in grants
    ]
    return f"its ACL grants {', '.join(parts)}"


@dataclass(frozen=True)
class WayIn:
    """One way a bucket is opened to everyone, and the setting that neutralises it."""

    what: str
    api: str
    flag: str
    describe: Callable


POLICY = WayIn(
    "the bucket policy",
    "s3:GetBucketPolicy",
    "restrict_public_buckets",
    lambda public: f"policy {public_phrase(public)}",
)
ACL = WayIn("the bucket ACL", "s3:GetBucketAcl", "ignore_public_acls", acl_phrase)


def judge_way(way, found, bucket, inventory):
    """("open" | "neutralised" | "unknown" | None, words): what `found` (public statements or grants) does."""
    bucket_block, account_block = levels(bucket, inventory)
    on = in_force(way.flag, bucket_block, account_block)
    setting = BLOCK_FLAGS[way.flag]
    if on:
        where = where_on([way.flag], bucket_block, account_block)
        if found is None:
            why = failure(inventory, bucket.uid, way.api)
            return (
                "neutralised",
                f"{way.what} was not read{why} — {setting} ({where}) neutralises any grant to everyone",
            )
        return ("neutralised", f"{way.describe(found)}, which {setting} ({where}) neutralises") if found else (None, "")
    if found is None:
        return "unknown", f"{way.what} could not be read{failure(inventory, bucket.uid, way.api)}"
    if not found:
        return None, ""
    if on is False:
        return "open", way.describe(found)
    return "unknown", f"{way.describe(found)}, and whether {setting} is on could not be read"


def exposure(bucket, inventory):
    """{"open" | "neutralised" | "unknown": [words]} for the bucket policy and the bucket ACL."""
    statements = bucket.evidence.get(POLICY_EVIDENCE)
    found_by_way = (
        (POLICY, None if statements is None else public_statements(statements)),
        (ACL, bucket.evidence.get(ACL_EVIDENCE)),
    )
    found = {}
    for way, public in found_by_way:
        kind, words = judge_way(way, public, bucket, inventory)
        if kind:
            found.setdefault(kind, []).append(words)
    return found


@check(
    "s3.bucket_not_public",
    title="No bucket policy or ACL opens the bucket to everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="s3.bucket",
    # A setting in force makes an unread policy or ACL moot (and S3 answers GetBucketAcl with the ACL it
    # enforces, so the collector does not read it then); the account's settings may stand in for the bucket's.
    needs=("s3:ListBuckets", "s3:GetBucketPolicy", "s3:GetBucketAcl", BUCKET_BLOCK_API, ACCOUNT_BLOCK_API),
    tolerates=("s3:GetBucketPolicy", "s3:GetBucketAcl", BUCKET_BLOCK_API),
    rationale=f"{GUIDANCE} A bucket is open to everyone when a bucket policy statement is public, or when its ACL "
    "grants anything to AllUsers or AuthenticatedUsers — unless S3 neutralises it: RestrictPublicBuckets limits a "
    "public policy to AWS services and the owner's account, IgnorePublicAcls ignores public ACLs (either at the "
    "bucket or the account; BlockPublicAcls and BlockPublicPolicy only refuse new ones). Object ACLs are not read "
    "(one call per object); IgnorePublicAcls, judged by s3.bucket_public_access_blocked, covers them. "
    f"{PUBLIC_RULE}",
    remediation='Console: S3 › the bucket › Permissions: remove the policy statements with Principal "*" (or '
    "add a condition such as aws:PrincipalOrgID or aws:SourceVpce) and the ACL grants to Everyone and "
    "Authenticated users; then turn on Block public access. CLI: aws s3api put-bucket-acl --bucket BUCKET "
    "--acl private && aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json, then "
    f"{BLOCK_ALL_CLI}",
)
def bucket_not_public(bucket, inventory):
    found = exposure(bucket, inventory)
    if "open" in found:
        return failed(f"Open to everyone: {'; '.join(found['open'])}.")
    if "unknown" in found:
        return errored(f"Whether the bucket is public is unknown: {'; '.join(found['unknown'])}.")
    if "neutralised" in found:
        return passed(f"Not public: {'; '.join(found['neutralised'])}.")
    return passed("No bucket policy statement or ACL grant opens the bucket to everyone.")
