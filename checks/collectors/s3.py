"""Collector for S3: every bucket with its default encryption, policy, public access block, ACL and logging, plus
the account-level Block Public Access settings (one s3control call per scan, kept on the account record).

Tags of buckets in the scanned regions come from the tagging API (collectors/tagging.py), which lists a bucket in
its own region; only a bucket in a region this scan does not cover (or whose region is unknown) is asked for its
tags with s3:GetBucketTagging.
"""

import ipaddress
import json
import threading
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import BotoCoreError, ClientError

from checks.catalog.policies import POLICY_EVIDENCE, open_statements, public_acl_grants, statements_of
from checks.catalog.s3_access import ACCOUNT_BLOCK_API, ACCOUNT_BLOCK_KEY, ACL_EVIDENCE, BLOCK_FLAGS, BUCKET_BLOCK_KEY
from checks.collectors.base import Collected, each, error_code, pages, tags_dict
from checks.inventory import GLOBAL, Record, account_uid, error_from_exception

SERVICE = "s3"
SCOPE = "global"
CONTROL = "s3control"  # the account's Block Public Access settings
ALSO_USES = (CONTROL,)
IAM_ACTIONS = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "GetBucketAcl": "s3:GetBucketAcl",
    "GetBucketLogging": "s3:GetBucketLogging",
    "GetBucketTagging": "s3:GetBucketTagging",
    # Same operation name on another service (s3control), hence the prefix; a different IAM action.
    "s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
}
# GetBucketLocation answers null for us-east-1 and the legacy "EU" for eu-west-1.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}
# Only the parts of a Deny statement the in-transit checks judge; Allow statements are not kept.
STATEMENT_FIELDS = ("Sid", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
# ListBuckets carries each bucket's BucketRegion only when the request has a parameter (AWS's API reference):
# asking for pages of MaxBuckets (at most 10,000) spares a GetBucketLocation per bucket.
LISTING_PAGE = {"PageSize": 10000}
# AWS applies SSE-KMS / DSSE-KMS without a key id with the account's AWS-managed S3 key.
AWS_MANAGED_S3_KEY = "alias/aws/s3"


def bucket_arn(name):
    return f"arn:aws:s3:::{name}"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    account_block = collect_account_block(ctx, collected)
    client_in = regional_clients(ctx)
    buckets = []
    # Named, so a transport error is a gap of the listing, not "s3:*" (which would also cover hygiene's
    # s3:GetBucketTagging need and leave every resource of every region unjudged).
    with collected.capture(api="s3:ListBuckets"):
        # Kept page by page: a listing that fails on a later page still yields the buckets already listed.
        for bucket in pages(client_in(ctx.home_region), "list_buckets", "Buckets", PaginationConfig=LISTING_PAGE):
            buckets.append(bucket)
    buckets = with_listed_regions(ctx, client_in, buckets)
    # Per-bucket reads are independent and wait on AWS: several at once (base.each).
    with collected.capture():
        for record in each(
            buckets, lambda bucket: bucket_record(bucket, client_in, collected, account_block, ctx.regions)
        ):
            collected.add(record)
    return collected


def regional_clients(ctx):
    """client_in(region): one S3 client per region for this collect, created once even across threads."""
    clients = {}
    lock = threading.Lock()

    def client_in(bucket_region):
        bucket_region = ctx.home_region if bucket_region == GLOBAL else bucket_region
        with lock:
            if bucket_region not in clients:
                clients[bucket_region] = ctx.client(SERVICE, bucket_region)
            return clients[bucket_region]

    return client_in


def with_listed_regions(ctx, client_in, buckets):
    """`buckets`, each with its BucketRegion where a listing names it.

    AWS's listing names every bucket's region (LISTING_PAGE). Where it does not (moto; an S3-compatible
    endpoint) and more buckets lack one than there are scanned regions, one ListBuckets per scanned region,
    filtered by BucketRegion (sent to that region's endpoint, as AWS requires), names them for fewer calls than
    a GetBucketLocation each. Such a listing that fails costs nothing: its buckets are located one by one.
    """
    unnamed = [bucket for bucket in buckets if not bucket.get("BucketRegion")]
    if len(unnamed) <= len(ctx.regions):
        return buckets
    found = {}
    for region in ctx.regions:
        try:
            for bucket in pages(
                client_in(region), "list_buckets", "Buckets", BucketRegion=region, PaginationConfig=LISTING_PAGE
            ):
                found[bucket["Name"]] = region
        except (ClientError, BotoCoreError):
            continue
    return [
        bucket if bucket.get("BucketRegion") else {**bucket, "BucketRegion": found.get(bucket["Name"])}
        for bucket in buckets
    ]


def covers_every_bucket(account_block):
    """All four Block Public Access settings on at the account: S3 applies them to every bucket, whatever the
    bucket's own settings say, so those change no verdict (catalog/s3_access.py) and are not read."""
    return bool(account_block) and all(account_block.get(flag) for flag in BLOCK_FLAGS)


def collect_account_block(ctx, collected):
    """The account's Block Public Access settings ({} when none are set), or None when they could not be read."""
    uid = account_uid(ctx.account_id)
    try:
        control = ctx.client(CONTROL, ctx.home_region, inject_host_prefix=False)
        control.meta.events.register("before-sign.s3-control", drop_account_label_on_local_endpoint)
        response = control.get_public_access_block(AccountId=ctx.account_id)
        block = block_flags(response["PublicAccessBlockConfiguration"])
    except ClientError as error:
        if error_code(error) != "NoSuchPublicAccessBlockConfiguration":
            return account_block_error(collected, error, uid)
        block = None
    except Exception as error:  # noqa: BLE001 - a transport or data error is a recorded gap too
        return account_block_error(collected, error, uid)
    collected.add(Record(uid, "account", GLOBAL, ctx.account_id, evidence={ACCOUNT_BLOCK_KEY: block}))
    return block or {}


def drop_account_label_on_local_endpoint(request, **kwargs):
    """s3control's endpoint rules put "<account id>." in front of the host, a custom endpoint's too.

    An IP address or localhost (a moto server) cannot take that label, and inject_host_prefix=False does
    not stop the rules (botocore 1.44), so drop it there; AWS host names are never touched.
    """
    parts = urlsplit(request.url)
    label, _, rest = parts.netloc.partition(".")
    if label.isdigit() and len(label) == 12 and is_local_host(urlsplit(f"//{rest}").hostname):
        request.url = urlunsplit(parts._replace(netloc=rest))


def is_local_host(hostname):
    if hostname == "localhost":
        return True
    try:
        ipaddress.ip_address(hostname or "")
    except ValueError:
        return False
    return True


def account_block_error(collected, error, uid):
    # Tied to the account record, so it cannot turn every bucket's GetPublicAccessBlock need into an ERROR.
    found = error_from_exception(error, "s3control", collected.region, uid)
    collected.errors.append(replace(found, service=SERVICE, api=ACCOUNT_BLOCK_API))
    return None


def bucket_record(bucket, client_in, collected, account_block, scanned_regions):
    name = bucket["Name"]
    uid = bucket_arn(name)
    region = bucket.get("BucketRegion") or GLOBAL
    if not bucket.get("BucketRegion"):
        with collected.capture(resource_uid=uid, api="s3:GetBucketLocation"):
            region = bucket_region(client_in(GLOBAL), name)
    # Unknown location stays "global"; botocore follows S3's redirect to the bucket's real region.
    client = client_in(region)
    evidence = {
        "sse_algorithm": None,
        "encrypted": None,
        "bucket_key_enabled": None,
        "kms_key_id": None,
        "has_bucket_policy": None,
        "policy_deny_statements": None,
        POLICY_EVIDENCE: None,
        BUCKET_BLOCK_KEY: None,
        ACL_EVIDENCE: None,
        "logging_target_bucket": None,
        "logging_target_prefix": None,
    }
    key_arn = None
    tags = {}
    with collected.capture(resource_uid=uid, api="s3:GetBucketEncryption"):
        encryption, key_arn = default_encryption(client, name)
        evidence.update(encryption)
    with collected.capture(resource_uid=uid, api="s3:GetBucketPolicy"):
        evidence.update(bucket_policy(client, name))
    bucket_block = None
    if not covers_every_bucket(account_block):
        with collected.capture(resource_uid=uid, api="s3:GetPublicAccessBlock"):
            evidence[BUCKET_BLOCK_KEY] = bucket_block = bucket_public_access_block(client, name)
    if not ignores_public_acls(bucket_block, account_block):
        with collected.capture(resource_uid=uid, api="s3:GetBucketAcl"):
            evidence[ACL_EVIDENCE] = public_grants(client.get_bucket_acl(Bucket=name).get("Grants"))
    with collected.capture(resource_uid=uid, api="s3:GetBucketLogging"):
        evidence.update(bucket_logging(client, name))
    if region not in scanned_regions:
        with collected.capture(resource_uid=uid, api="s3:GetBucketTagging"):
            tags = bucket_tags(client, name)
    return Record(uid, "s3.bucket", region, name, evidence=evidence, key_arn=key_arn, tags=tags)


def bucket_region(client, name):
    constraint = client.get_bucket_location(Bucket=name).get("LocationConstraint")
    return LEGACY_LOCATIONS.get(constraint, constraint)


def default_encryption(client, name):
    """(evidence, key reference) of the bucket's default encryption."""
    try:
        rules = client.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        # Only buckets from before 2023 (and moto's) lack it: AWS now applies SSE-S3 to every bucket.
        if error_code(error) == "ServerSideEncryptionConfigurationNotFoundError":
            return {"sse_algorithm": None, "encrypted": False}, None
        raise
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default:
            algorithm = default["SSEAlgorithm"]
            key_id = default.get("KMSMasterKeyID") or None
            key_arn = key_id or (AWS_MANAGED_S3_KEY if algorithm.startswith("aws:kms") else None)
            return {
                "sse_algorithm": algorithm,
                "encrypted": True,
                "kms_key_id": key_id,
                "bucket_key_enabled": bool(rule.get("BucketKeyEnabled")),
            }, key_arn
    return {"sse_algorithm": None, "encrypted": False}, None


def bucket_policy(client, name):
    """The Deny statements the in-transit checks judge, and the statements open to everyone (policies.py)."""
    try:
        text = client.get_bucket_policy(Bucket=name)["Policy"]
    except ClientError as error:
        if error_code(error) == "NoSuchBucketPolicy":
            return {"has_bucket_policy": False, "policy_deny_statements": [], POLICY_EVIDENCE: []}
        raise
    # A policy of no valid shape raises ValueError: a MalformedResponse gap on this bucket.
    document = json.loads(text)
    denies = [compact(statement) for statement in statements_of(document) if statement.get("Effect") == "Deny"]
    return {"has_bucket_policy": True, "policy_deny_statements": denies, POLICY_EVIDENCE: open_statements(document)}


def compact(statement):
    return {field: statement[field] for field in STATEMENT_FIELDS if field in statement}


def block_flags(configuration):
    """AWS's PublicAccessBlockConfiguration as the evidence keys of catalog/s3_access.py (a missing setting is off)."""
    return {key: bool(configuration.get(name)) for key, name in BLOCK_FLAGS.items()}


def bucket_public_access_block(client, name):
    try:
        response = client.get_public_access_block(Bucket=name)
    except ClientError as error:
        if error_code(error) == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise
    return block_flags(response["PublicAccessBlockConfiguration"])


def ignores_public_acls(bucket_block, account_block):
    """IgnorePublicAcls is on for the bucket or the account: no ACL can open it, and S3 answers GetBucketAcl with
    the ACL it enforces (public grants left out), so the ACL is not read."""
    return bool((bucket_block or {}).get("ignore_public_acls") or (account_block or {}).get("ignore_public_acls"))


def public_grants(grants):
    """The ACL grants to AllUsers or AuthenticatedUsers, as {"grantee": "AllUsers", "permission": "READ"}."""
    return [
        {"grantee": grant["Grantee"]["URI"].rsplit("/", 1)[-1], "permission": grant.get("Permission", "")}
        for grant in public_acl_grants(grants)
    ]


def bucket_logging(client, name):
    enabled = client.get_bucket_logging(Bucket=name).get("LoggingEnabled") or {}
    return {"logging_target_bucket": enabled.get("TargetBucket"), "logging_target_prefix": enabled.get("TargetPrefix")}


def bucket_tags(client, name):
    try:
        return tags_dict(client.get_bucket_tagging(Bucket=name)["TagSet"])
    except ClientError as error:
        if error_code(error) == "NoSuchTagSet":
            return {}
        raise
