"""Key checks, pure: records and inventories built by hand."""

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check

OTHER_REGION = "eu-west-1"


def key_arn(key_id, region=REGION, account=ACCOUNT):
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def cmk(key_id="k1", **evidence):
    """An enabled symmetric customer-managed key as the collector records it."""
    defaults = {
        "key_spec": "SYMMETRIC_DEFAULT",
        "key_usage": "ENCRYPT_DECRYPT",
        "origin": "AWS_KMS",
        "rotation_enabled": True,
        "deletion_date": None,
        "policy_public_statements": [],
    }
    return make_key(key_id, **{**defaults, **evidence})


def volume(key_ref, name="vol-1", region=REGION):
    return make_record("ec2.volume", name=name, region=region, key_arn=key_ref, encrypted=True)


def statement(sid="Open", condition=None, actions=("kms:Decrypt",)):
    return {"sid": sid, "actions": list(actions), "condition": condition or {}}


# kms.key_rotation_enabled


def test_rotating_customer_key_passes():
    result = run_check("kms.key_rotation_enabled", cmk(rotation_period_days=365))
    assert result.status == Status.PASS
    assert "365 days" in result.reason
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_customer_key_without_rotation_fails():
    assert run_check("kms.key_rotation_enabled", cmk(rotation_enabled=False)).status == Status.FAIL


@pytest.mark.parametrize(
    "key",
    [
        make_key("aws", manager="AWS"),
        make_key("moto-default", aliases=["alias/aws/ebs"], rotation_enabled=None),
    ],
)
def test_aws_managed_keys_are_not_judged_for_rotation(key):
    assert run_check("kms.key_rotation_enabled", key) is None


@pytest.mark.parametrize(
    "key",
    [
        cmk(state="Disabled", rotation_enabled=None),
        cmk(state="PendingDeletion", rotation_enabled=None),
        cmk(key_spec="RSA_2048", key_usage="SIGN_VERIFY", rotation_enabled=None),
        cmk(key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC", rotation_enabled=None),
        cmk(origin="EXTERNAL", rotation_enabled=None),
    ],
)
def test_keys_that_cannot_rotate_automatically_are_not_applicable(key):
    assert run_check("kms.key_rotation_enabled", key).status == Status.NOT_APPLICABLE


def test_enabled_key_with_unread_rotation_is_an_error_not_a_pass():
    assert run_check("kms.key_rotation_enabled", cmk(rotation_enabled=None)).status == Status.ERROR


# kms.key_in_use_unusable


def test_resource_without_a_key_is_not_judged_for_key_state():
    assert run_check("kms.key_in_use_unusable", volume(None)) is None


def test_resource_with_enabled_key_passes():
    result = run_check("kms.key_in_use_unusable", volume(key_arn("k1")), cmk())
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


@pytest.mark.parametrize("state", ["Disabled", "PendingImport", "Unavailable", "PendingReplicaDeletion"])
def test_resource_with_unusable_key_fails(state):
    result = run_check("kms.key_in_use_unusable", volume("alias/app"), cmk(state=state, aliases=["alias/app"]))
    assert result.status == Status.FAIL
    assert state in result.reason


def test_resource_with_key_pending_deletion_fails_with_the_date():
    key = cmk(state="PendingDeletion", deletion_date="2026-07-07T00:00:00+00:00")
    result = run_check("kms.key_in_use_unusable", volume("k1"), key)
    assert result.status == Status.FAIL
    assert "2026-07-07" in result.reason


def test_resource_with_missing_key_fails_when_keys_were_listed():
    result = run_check("kms.key_in_use_unusable", volume(key_arn("deleted")), cmk())
    assert result.status == Status.FAIL
    assert "does not exist" in result.reason
    assert result.key_owner == KeyOwner.UNKNOWN


def test_missing_key_is_an_error_when_the_region_was_not_listed():
    gap = CollectionError("kms", REGION, "kms:ListKeys", "AccessDenied", "denied")
    result = run_check("kms.key_in_use_unusable", volume(key_arn("deleted")), errors=[gap])
    assert result.status == Status.ERROR


def test_missing_key_in_an_unscanned_region_is_not_applicable():
    result = run_check("kms.key_in_use_unusable", volume(key_arn("k9", region="ap-south-1")))
    assert result.status == Status.NOT_APPLICABLE


def test_missing_key_is_judged_in_the_keys_region():
    gap = CollectionError("kms", OTHER_REGION, "kms:ListKeys", "AccessDenied", "denied")
    result = run_check(
        "kms.key_in_use_unusable",
        volume(key_arn("gone", region=OTHER_REGION)),
        errors=[gap],
        regions=(REGION, OTHER_REGION),
    )
    assert result.status == Status.ERROR


def test_uncollected_aws_managed_alias_is_usable():
    result = run_check("kms.key_in_use_unusable", volume("alias/aws/ebs"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_external_key_state_cannot_be_judged():
    result = run_check("kms.key_in_use_unusable", volume(key_arn("k1", account=OTHER_ACCOUNT)))
    assert result.status == Status.NOT_APPLICABLE
    assert result.key_owner == KeyOwner.EXTERNAL


def test_key_that_could_not_be_described_is_an_error():
    result = run_check("kms.key_in_use_unusable", volume(key_arn("k1")), make_key("k1", manager=None, state=None))
    assert result.status == Status.ERROR


def test_key_record_itself_is_not_judged_for_key_state():
    assert run_check("kms.key_in_use_unusable", cmk()) is None


# kms.key_pending_deletion


def test_enabled_key_is_not_pending_deletion():
    assert run_check("kms.key_pending_deletion", cmk()).status == Status.PASS


def test_key_pending_deletion_fails_and_names_its_users():
    key = cmk(state="PendingDeletion", deletion_date="2026-07-07T12:00:00+00:00", aliases=["alias/app"])
    others = [
        volume("alias/app", "vol-a"),
        volume(key_arn("k1"), "vol-b"),
        volume(key_arn("k2"), "vol-c"),
        volume(None, "vol-d"),
    ]
    result = run_check("kms.key_pending_deletion", key, *others)
    assert result.status == Status.FAIL
    assert "2026-07-07" in result.reason
    assert "Used by 2 collected resource(s): vol-a, vol-b." in result.reason


def test_unused_key_pending_deletion_still_fails_and_says_so():
    result = run_check("kms.key_pending_deletion", cmk(state="PendingDeletion"))
    assert result.status == Status.FAIL
    assert "No collected resource uses it." in result.reason


def test_aws_managed_key_is_not_judged_for_deletion():
    assert run_check("kms.key_pending_deletion", make_key("aws", manager="AWS")) is None


# kms.key_policy_not_public


def test_key_without_wildcard_statements_passes():
    assert run_check("kms.key_policy_not_public", cmk()).status == Status.PASS


def test_unconditioned_wildcard_statement_fails():
    result = run_check("kms.key_policy_not_public", cmk(policy_public_statements=[statement("Anyone")]))
    assert result.status == Status.FAIL
    assert "Anyone" in result.reason
    assert "kms:Decrypt" in result.reason


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
        {"StringEquals": {"AWS:SourceAccount": ACCOUNT}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"}},
    ],
)
def test_narrowed_wildcard_statement_passes(condition):
    result = run_check("kms.key_policy_not_public", cmk(policy_public_statements=[statement(condition=condition)]))
    assert result.status == Status.PASS


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}},
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"StringLike": {"aws:PrincipalOrgID": "*"}},
        {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"Null": {"aws:PrincipalOrgID": "false"}},
    ],
)
def test_conditions_that_do_not_narrow_still_fail(condition):
    result = run_check("kms.key_policy_not_public", cmk(policy_public_statements=[statement(condition=condition)]))
    assert result.status == Status.FAIL


def test_key_policy_not_collected_is_an_error():
    assert run_check("kms.key_policy_not_public", cmk(policy_public_statements=None)).status == Status.ERROR


def test_aws_managed_key_policy_is_not_judged():
    assert run_check("kms.key_policy_not_public", make_key("d", aliases=["alias/aws/s3"])) is None


# kms.external_account_key


def test_resource_with_own_or_no_key_is_not_judged_for_external_keys():
    assert run_check("kms.external_account_key", volume(key_arn("k1"))) is None
    assert run_check("kms.external_account_key", volume("alias/app")) is None
    assert run_check("kms.external_account_key", volume(None)) is None


def test_resource_with_another_accounts_key_fails():
    result = run_check("kms.external_account_key", volume(key_arn("k1", account=OTHER_ACCOUNT)))
    assert result.status == Status.FAIL
    assert OTHER_ACCOUNT in result.reason
    assert result.key_owner == KeyOwner.EXTERNAL


def test_resource_with_a_trusted_accounts_key_passes():
    result = run_check(
        "kms.external_account_key",
        volume(key_arn("k1", account=OTHER_ACCOUNT)),
        trusted_account_ids=frozenset({OTHER_ACCOUNT}),
    )
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL


def test_external_account_key_check_is_informational():
    assert CATALOG["kms.external_account_key"].severity == "informational"
    assert CATALOG["kms.key_in_use_unusable"].severity == "critical"


def test_unusable_key_check_ignores_kms_gaps_for_unencrypted_resources():
    gap = CollectionError("kms", REGION, "kms:ListKeys", "AccessDenied", "denied")
    inventory = make_inventory(volume(None, "plain"), volume(key_arn("k1"), "keyed"), errors=[gap])
    results = {e.record.name: e.result.status for e in evaluate_check(CATALOG["kms.key_in_use_unusable"], inventory)}
    assert results == {"keyed": Status.ERROR}
