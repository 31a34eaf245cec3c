"""S3 public access: s3.bucket_public_access_blocked and s3.bucket_not_public (checks/catalog/s3_access.py)."""

import json

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError, Record, account_uid
from checks.tests.builders import ACCOUNT, make_inventory, make_record

BLOCKED = "s3.bucket_public_access_blocked"
NOT_PUBLIC = "s3.bucket_not_public"
ALL_ON = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}
UNREAD = object()  # the account's settings could not be read
PUBLIC_READ = [{"grantee": "AllUsers", "permission": "READ"}]
ANY_ACCOUNT_WRITE = [{"grantee": "AuthenticatedUsers", "permission": "WRITE"}]


def bucket_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow_everyone(sid="PublicRead", condition=None, principal="*"):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def bucket(block=None, policy="", acl=(), name="data"):
    """A collected bucket: `policy` JSON ("" none, None unread), `acl` public grants (None: not read)."""
    statements = None if policy is None else open_statements(policy)
    grants = None if acl is None else list(acl)
    evidence = {"public_access_block": block, POLICY_EVIDENCE: statements, "acl_public_grants": grants}
    return make_record("s3.bucket", uid=f"arn:aws:s3:::{name}", name=name, region="us-east-1", **evidence)


def account(block):
    evidence = {} if block is UNREAD else {"s3_account_public_access_block": block}
    return Record(account_uid(ACCOUNT), "account", "global", ACCOUNT, evidence=evidence)


def denied(api, uid):
    return CollectionError("s3", "global", api, "AccessDenied", "no", resource_uid=uid)


def verdict(check_id, record, account_block=None, errors=()):
    """The evaluator's verdict (so `needs` gaps apply as in a scan) on `record`."""
    errors = list(errors)
    if account_block is UNREAD:
        errors.append(denied("s3control:GetPublicAccessBlock", account_uid(ACCOUNT)))
    inventory = make_inventory(record, account(account_block), errors=errors)
    [result] = [e.result for e in evaluate_check(CATALOG[check_id], inventory) if e.record.uid == record.uid]
    return result


# ---- s3.bucket_public_access_blocked ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bucket_block", "account_block", "where"),
    [
        (ALL_ON, None, "(on the bucket)"),
        (None, ALL_ON, "(at the account)"),
        (ALL_ON, ALL_ON, "(on the bucket and at the account)"),
        (
            {"block_public_acls": True, "ignore_public_acls": True},
            {"block_public_policy": True, "restrict_public_buckets": True},
            "(between the bucket and the account)",
        ),
    ],
)
def test_all_four_settings_on_at_either_level_pass(bucket_block, account_block, where):
    result = verdict(BLOCKED, bucket(bucket_block), account_block)
    assert result.status == Status.PASS
    assert where in result.reason


def test_a_setting_off_at_both_levels_fails_naming_it_as_aws_does():
    result = verdict(BLOCKED, bucket({**ALL_ON, "restrict_public_buckets": False}), {"block_public_policy": True})
    assert result.status == Status.FAIL
    assert result.reason == "Block Public Access is off for RestrictPublicBuckets on the bucket and at the account."


def test_no_settings_anywhere_fails_on_all_four():
    result = verdict(BLOCKED, bucket(), None)
    assert result.status == Status.FAIL
    assert "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets" in result.reason


def test_unread_bucket_settings_pass_when_the_account_blocks_everything():
    errors = [denied("s3:GetPublicAccessBlock", "arn:aws:s3:::data")]
    assert verdict(BLOCKED, bucket(), ALL_ON, errors).status == Status.PASS


def test_unread_bucket_settings_are_an_error_when_the_account_leaves_some_off():
    errors = [denied("s3:GetPublicAccessBlock", "arn:aws:s3:::data")]
    result = verdict(BLOCKED, bucket(), {"block_public_acls": True, "ignore_public_acls": True}, errors)
    assert result.status == Status.ERROR
    assert "BlockPublicPolicy, RestrictPublicBuckets are off at the account" in result.reason
    assert "the bucket's Block Public Access settings could not be read (AccessDenied)" in result.reason


def test_unread_account_settings_pass_a_blocked_bucket_and_leave_others_unknown():
    assert verdict(BLOCKED, bucket(ALL_ON), UNREAD).status == Status.PASS
    result = verdict(BLOCKED, bucket({"block_public_acls": True}), UNREAD)
    assert result.status == Status.ERROR
    assert "off on the bucket, and the account's" in result.reason


def test_both_levels_unread_is_an_error():
    errors = [denied("s3:GetPublicAccessBlock", "arn:aws:s3:::data")]
    result = verdict(BLOCKED, bucket(), UNREAD, errors)
    assert result.status == Status.ERROR
    assert result.reason == (
        "Block Public Access settings could not be read: the bucket's (AccessDenied), the account's (AccessDenied)."
    )


def test_an_unread_listing_is_an_error_on_the_account():
    gap = CollectionError("s3", "global", "s3:ListBuckets", "AccessDenied", "no")
    inventory = make_inventory(account(None), errors=[gap])
    [evaluation] = evaluate_check(CATALOG[BLOCKED], inventory)
    assert (evaluation.record.type, evaluation.result.status) == ("account", Status.ERROR)


# ---- s3.bucket_not_public -----------------------------------------------------------------------------


def test_a_bucket_with_no_policy_and_no_public_grant_passes():
    result = verdict(NOT_PUBLIC, bucket(), None)
    assert result.status == Status.PASS
    assert result.reason == "No bucket policy statement or ACL grant opens the bucket to everyone."


def test_a_public_policy_without_restrict_public_buckets_fails():
    result = verdict(NOT_PUBLIC, bucket(policy=bucket_policy(allow_everyone())), None)
    assert result.status == Status.FAIL
    assert result.reason.startswith("Open to everyone: policy statement(s) PublicRead allow any principal s3:GetObject")


def test_block_public_policy_alone_does_not_neutralise_an_existing_public_policy():
    # BlockPublicPolicy only refuses new public policies (AWS: "doesn't affect existing bucket policies").
    block = {**ALL_ON, "restrict_public_buckets": False}
    assert verdict(NOT_PUBLIC, bucket(block, policy=bucket_policy(allow_everyone())), None).status == Status.FAIL


@pytest.mark.parametrize(
    ("bucket_block", "account_block", "where"), [(ALL_ON, None, "on the bucket"), (None, ALL_ON, "at the account")]
)
def test_restrict_public_buckets_neutralises_a_public_policy(bucket_block, account_block, where):
    result = verdict(NOT_PUBLIC, bucket(bucket_block, policy=bucket_policy(allow_everyone())), account_block)
    assert result.status == Status.PASS
    assert f"which RestrictPublicBuckets ({where}) neutralises" in result.reason


def test_a_policy_narrowed_to_a_vpc_endpoint_is_not_public():
    narrowed = allow_everyone(condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})
    assert verdict(NOT_PUBLIC, bucket(policy=bucket_policy(narrowed)), None).status == Status.PASS


def test_a_web_identity_principal_makes_the_policy_public():
    # Amazon S3's own example of a public policy: anyone who signs in to the provider.
    federated = allow_everyone(principal={"Federated": "graph.facebook.com"})
    assert verdict(NOT_PUBLIC, bucket(policy=bucket_policy(federated)), None).status == Status.FAIL


@pytest.mark.parametrize(
    ("grants", "words"),
    [
        (PUBLIC_READ, "READ to everyone (AllUsers)"),
        (ANY_ACCOUNT_WRITE, "WRITE to any AWS account (AuthenticatedUsers)"),
    ],
)
def test_a_public_acl_grant_without_ignore_public_acls_fails(grants, words):
    result = verdict(NOT_PUBLIC, bucket({"block_public_acls": True}, acl=grants), None)
    assert result.status == Status.FAIL  # BlockPublicAcls only refuses new public ACLs
    assert f"its ACL grants {words}" in result.reason


def test_ignore_public_acls_neutralises_a_public_acl_and_makes_an_unread_one_moot():
    neutralised = verdict(NOT_PUBLIC, bucket(acl=PUBLIC_READ), {"ignore_public_acls": True})
    assert neutralised.status == Status.PASS
    assert "which IgnorePublicAcls (at the account) neutralises" in neutralised.reason
    # The collector does not read the ACL then: S3 would answer with the ACL it enforces.
    moot = verdict(NOT_PUBLIC, bucket({"ignore_public_acls": True}, acl=None), None)
    assert (moot.status, moot.reason) == (
        Status.PASS,
        "Not public: the bucket ACL was not read — IgnorePublicAcls (on the bucket) neutralises any grant to everyone.",
    )


def test_an_unread_acl_or_policy_is_an_error_unless_a_setting_makes_it_moot():
    acl_denied = [denied("s3:GetBucketAcl", "arn:aws:s3:::data")]
    result = verdict(NOT_PUBLIC, bucket(acl=None), None, acl_denied)
    assert (result.status, result.reason) == (
        Status.ERROR,
        "Whether the bucket is public is unknown: the bucket ACL could not be read (AccessDenied).",
    )
    policy_denied = [denied("s3:GetBucketPolicy", "arn:aws:s3:::data")]
    assert verdict(NOT_PUBLIC, bucket(policy=None), None, policy_denied).status == Status.ERROR
    restricted = {"restrict_public_buckets": True}
    result = verdict(NOT_PUBLIC, bucket(restricted, policy=None), None, policy_denied)
    assert result.status == Status.PASS
    assert "the bucket policy was not read (AccessDenied) — RestrictPublicBuckets (on the bucket)" in result.reason


def test_a_public_policy_with_unread_account_settings_is_an_error():
    result = verdict(NOT_PUBLIC, bucket(policy=bucket_policy(allow_everyone())), UNREAD)
    assert result.status == Status.ERROR
    assert "whether RestrictPublicBuckets is on could not be read" in result.reason


def test_one_known_way_in_fails_even_when_another_is_unknown():
    acl_denied = [denied("s3:GetBucketAcl", "arn:aws:s3:::data")]
    result = verdict(NOT_PUBLIC, bucket(policy=bucket_policy(allow_everyone()), acl=None), None, acl_denied)
    assert result.status == Status.FAIL
