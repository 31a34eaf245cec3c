import pytest

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError, Record, account_uid
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check

ALL_ON = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}


def trail(name="main", key_arn=None, **evidence):
    fields = {
        "home_region": REGION,
        "is_multi_region": True,
        "is_organization_trail": False,
        "log_file_validation": True,
        "s3_bucket_name": "trail-logs",
        "encrypted": True,
        "kms_encrypted": bool(key_arn),
        "is_logging": True,
        "management_read_events": True,
        "management_write_events": True,
        **evidence,
    }
    return make_record(
        "cloudtrail.trail",
        uid=f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}",
        name=name,
        key_arn=key_arn,
        **fields,
    )


def account_record(**evidence):
    return Record(account_uid(ACCOUNT), "account", "global", ACCOUNT, evidence=evidence)


def account_verdict(*records, errors=()):
    inventory = make_inventory(*records, errors=list(errors))
    return CATALOG["cloudtrail.multi_region_logging"].run(inventory.account, inventory)


def bucket(name="trail-logs", block=None):
    return make_record("s3.bucket", uid=f"arn:aws:s3:::{name}", name=name, public_access_block=block)


# ---- cloudtrail.multi_region_logging ----


def test_logging_multi_region_trail_with_reads_and_writes_passes():
    result = account_verdict(trail("regional", is_multi_region=False), trail("main"))
    assert result.status == Status.PASS
    assert "'main'" in result.reason


def test_account_without_trails_fails():
    assert account_verdict().status == Status.FAIL


@pytest.mark.parametrize(
    ("evidence", "why"),
    [
        ({"is_logging": False}, "is not logging"),
        ({"management_read_events": False}, "does not record read management events"),
        ({"management_read_events": False, "management_write_events": False}, "read or write"),
    ],
)
def test_multi_region_trail_that_misses_something_fails(evidence, why):
    result = account_verdict(trail(**evidence))
    assert result.status == Status.FAIL
    assert why in result.reason


def test_single_region_trails_only_fail():
    result = account_verdict(trail("a", is_multi_region=False), trail("b", is_multi_region=False))
    assert result.status == Status.FAIL
    assert "No multi-region trail" in result.reason


def test_multi_region_trail_with_unreadable_status_is_an_error():
    result = account_verdict(trail("Main-Trail", is_logging=None))
    assert result.status == Status.ERROR
    assert "'Main-Trail'" in result.reason


def test_trail_listing_gap_in_a_region_is_an_error_unless_another_trail_logs_everything():
    gap = CollectionError("cloudtrail", "eu-west-1", "cloudtrail:DescribeTrails", "AccessDenied", "no")
    assert account_verdict(errors=[gap]).status == Status.ERROR
    assert account_verdict(trail(), errors=[gap]).status == Status.PASS


# ---- cloudtrail.log_file_validation ----


def test_log_file_validation():
    assert run_check("cloudtrail.log_file_validation", trail()).status == Status.PASS
    assert run_check("cloudtrail.log_file_validation", trail(log_file_validation=False)).status == Status.FAIL


def test_log_file_validation_on_an_organization_trail_of_another_account_is_still_judged():
    record = make_record(
        "cloudtrail.trail",
        uid=f"arn:aws:cloudtrail:{REGION}:{OTHER_ACCOUNT}:trail/org",
        name="org",
        log_file_validation=False,
        is_organization_trail=True,
    )
    assert run_check("cloudtrail.log_file_validation", record).status == Status.FAIL


# ---- cloudtrail.kms_encrypted ----


def test_trail_with_customer_key_passes_with_its_owner():
    key = make_key("k1")
    result = run_check("cloudtrail.kms_encrypted", trail(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_trail_without_kms_key_fails_as_sse_s3():
    result = run_check("cloudtrail.kms_encrypted", trail())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)


def test_trail_with_log_archive_accounts_key_passes_as_external():
    result = run_check("cloudtrail.kms_encrypted", trail(key_arn=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


# ---- cloudtrail.bucket_not_public ----


def test_bucket_blocking_everything_passes():
    result = run_check(
        "cloudtrail.bucket_not_public",
        trail(),
        bucket(block=ALL_ON),
        account_record(s3_account_public_access_block=None),
    )
    assert result.status == Status.PASS
    assert "(on the bucket)" in result.reason


def test_account_level_block_covers_a_bucket_without_its_own():
    result = run_check(
        "cloudtrail.bucket_not_public", trail(), bucket(), account_record(s3_account_public_access_block=ALL_ON)
    )
    assert result.status == Status.PASS
    assert "(at the account)" in result.reason


def test_bucket_and_account_settings_combine_per_setting():
    half = {"block_public_acls": True, "ignore_public_acls": True}
    other_half = {"block_public_policy": True, "restrict_public_buckets": True}
    result = run_check(
        "cloudtrail.bucket_not_public",
        trail(),
        bucket(block=half),
        account_record(s3_account_public_access_block=other_half),
    )
    assert result.status == Status.PASS


def test_bucket_open_at_both_levels_fails_naming_the_settings():
    result = run_check(
        "cloudtrail.bucket_not_public",
        trail(),
        bucket(block={**ALL_ON, "block_public_policy": False}),
        account_record(s3_account_public_access_block=None),
    )
    assert result.status == Status.FAIL
    assert "off for BlockPublicPolicy" in result.reason
    assert "open to everyone" not in result.reason  # nothing opens it today


def test_unblocked_bucket_that_is_open_says_so_by_the_rule_of_s3_bucket_not_public():
    from checks.catalog.policies import POLICY_EVIDENCE

    open_policy = [{"sid": "Anyone", "actions": ["s3:GetObject"], "condition": {}}]
    acl = [{"grantee": "AllUsers", "permission": "READ"}]
    exposed = make_record(
        "s3.bucket",
        uid="arn:aws:s3:::trail-logs",
        name="trail-logs",
        **{POLICY_EVIDENCE: open_policy},
        acl_public_grants=acl,
    )
    result = run_check(
        "cloudtrail.bucket_not_public", trail(), exposed, account_record(s3_account_public_access_block=None)
    )
    assert result.status == Status.FAIL
    assert "open to everyone now: policy statement(s) Anyone" in result.reason
    assert "READ to everyone (AllUsers)" in result.reason


def test_bucket_of_another_account_is_not_applicable():
    result = run_check("cloudtrail.bucket_not_public", trail(), account_record(s3_account_public_access_block=None))
    assert result.status == Status.NOT_APPLICABLE
    assert "bucket not in this account's inventory" in result.reason


def test_unreadable_settings_are_an_error_unless_the_other_level_blocks_everything():
    bucket_denied = CollectionError(
        "s3", "global", "s3:GetPublicAccessBlock", "AccessDenied", "no", resource_uid="arn:aws:s3:::trail-logs"
    )
    account_denied = CollectionError(
        "s3", "global", "s3control:GetPublicAccessBlock", "AccessDenied", "no", resource_uid=account_uid(ACCOUNT)
    )
    unknown_bucket = run_check(
        "cloudtrail.bucket_not_public",
        trail(),
        bucket(),
        account_record(s3_account_public_access_block=None),
        errors=[bucket_denied],
    )
    covered = run_check(
        "cloudtrail.bucket_not_public",
        trail(),
        bucket(),
        account_record(s3_account_public_access_block=ALL_ON),
        errors=[bucket_denied],
    )
    unknown_account = run_check("cloudtrail.bucket_not_public", trail(), bucket(), errors=[account_denied])
    assert unknown_bucket.status == Status.ERROR
    assert covered.status == Status.PASS
    assert unknown_account.status == Status.ERROR


def test_bucket_listing_gap_makes_the_check_an_error_not_not_applicable():
    gap = CollectionError("s3", "global", "s3:ListBuckets", "AccessDenied", "no")
    inventory = make_inventory(trail(), errors=[gap])
    statuses = {
        evaluation.record.type: evaluation.result.status
        for evaluation in evaluate_check(CATALOG["cloudtrail.bucket_not_public"], inventory)
    }
    assert statuses == {"account": Status.ERROR, "cloudtrail.trail": Status.ERROR}
