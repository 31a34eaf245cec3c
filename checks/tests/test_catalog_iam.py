"""Identity checks, pure: records and inventories built by hand."""

from datetime import timedelta

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.evaluation import evaluate_check
from checks.inventory import GLOBAL, CollectionError, account_uid
from checks.tests.builders import ACCOUNT, NOW, make_inventory, make_record, run_check

STRONG_POLICY = {
    "minimum_length": 14,
    "require_uppercase": True,
    "require_lowercase": True,
    "require_numbers": True,
    "require_symbols": True,
    "reuse_prevention": 24,
    "max_age_days": None,
}


def account(**evidence):
    return make_record("account", uid=account_uid(ACCOUNT), name=ACCOUNT, region=GLOBAL, **evidence)


def user(name="alice", **evidence):
    defaults = {"has_console_password": True, "mfa_enabled": True, "access_keys": [], "password_last_used": None}
    return make_record(
        "iam.user", uid=f"arn:aws:iam::{ACCOUNT}:user/{name}", name=name, region=GLOBAL, **{**defaults, **evidence}
    )


def access_key(key_id="AKIAEXAMPLE1", days_old=10, status="Active"):
    return {"id": key_id, "status": status, "created": (NOW - timedelta(days=days_old)).isoformat()}


def policy(name="p", **evidence):
    return make_record("iam.policy", uid=f"arn:aws:iam::{ACCOUNT}:policy/{name}", name=name, region=GLOBAL, **evidence)


# iam.root_mfa_enabled / iam.root_access_keys_absent


@pytest.mark.parametrize(("enabled", "status"), [(True, Status.PASS), (False, Status.FAIL), (None, Status.ERROR)])
def test_root_mfa(enabled, status):
    evidence = {} if enabled is None else {"root_mfa_enabled": enabled}
    assert run_check("iam.root_mfa_enabled", account(**evidence)).status == status


@pytest.mark.parametrize(("present", "status"), [(False, Status.PASS), (True, Status.FAIL), (None, Status.ERROR)])
def test_root_access_keys(present, status):
    evidence = {} if present is None else {"root_access_keys_present": present}
    assert run_check("iam.root_access_keys_absent", account(**evidence)).status == status


def test_root_checks_judge_the_merged_account_record():
    # The account record in an inventory carries evidence from several collectors.
    inventory = make_inventory(account(root_mfa_enabled=True), account(password_policy=None))
    assert run_check("iam.root_mfa_enabled", inventory.account, inventory=inventory).status == Status.PASS
    assert run_check("iam.password_policy_strong", inventory.account, inventory=inventory).status == Status.FAIL


def test_account_summary_gap_is_one_error_on_the_account():
    gap = CollectionError("iam", GLOBAL, "iam:GetAccountSummary", "AccessDenied", "denied")
    results = evaluate_check(CATALOG["iam.root_mfa_enabled"], make_inventory(errors=[gap]))
    assert [(e.record.uid, e.result.status) for e in results] == [(account_uid(ACCOUNT), Status.ERROR)]


# iam.user_console_mfa


def test_console_user_with_mfa_passes():
    assert run_check("iam.user_console_mfa", user()).status == Status.PASS


def test_console_user_without_mfa_fails_and_says_when_the_password_was_used():
    last_used = {"password_last_used": "2026-06-01T08:00:00+00:00"}  # a date, not a password
    result = run_check("iam.user_console_mfa", user(mfa_enabled=False, **last_used))
    assert result.status == Status.FAIL
    assert "2026-06-01" in result.reason


def test_user_without_console_password_is_not_applicable():
    assert (
        run_check("iam.user_console_mfa", user(has_console_password=False, mfa_enabled=False)).status
        == Status.NOT_APPLICABLE
    )


def test_user_whose_login_profile_was_not_read_is_an_error():
    assert run_check("iam.user_console_mfa", user(has_console_password=None)).status == Status.ERROR
    assert run_check("iam.user_console_mfa", user(mfa_enabled=None)).status == Status.ERROR


# iam.access_keys_rotated_90d


def test_young_active_keys_pass():
    result = run_check("iam.access_keys_rotated_90d", user(access_keys=[access_key(days_old=89), access_key("B", 5)]))
    assert result.status == Status.PASS
    assert "89 days" in result.reason


def test_active_key_of_90_days_fails_and_names_it():
    result = run_check(
        "iam.access_keys_rotated_90d", user(access_keys=[access_key("AKIAOLD", days_old=90), access_key("AKIANEW", 3)])
    )
    assert result.status == Status.FAIL
    assert "AKIAOLD (90 days)" in result.reason
    assert "AKIANEW" not in result.reason


def test_old_inactive_keys_are_ignored():
    result = run_check(
        "iam.access_keys_rotated_90d",
        user(access_keys=[access_key(days_old=400, status="Inactive"), access_key("B", 1)]),
    )
    assert result.status == Status.PASS


def test_user_without_active_keys_is_not_applicable():
    assert run_check("iam.access_keys_rotated_90d", user(access_keys=[])).status == Status.NOT_APPLICABLE
    assert (
        run_check("iam.access_keys_rotated_90d", user(access_keys=[access_key(status="Inactive")])).status
        == Status.NOT_APPLICABLE
    )


def test_unread_access_keys_are_an_error():
    assert run_check("iam.access_keys_rotated_90d", user(access_keys=None)).status == Status.ERROR


def test_key_age_is_measured_against_the_inventory_clock():
    keyed = user(access_keys=[access_key(days_old=80)])
    later = make_inventory(keyed, now=NOW + timedelta(days=20))
    assert run_check("iam.access_keys_rotated_90d", keyed, inventory=later).status == Status.FAIL


# iam.password_policy_strong


def test_strong_password_policy_passes():
    assert run_check("iam.password_policy_strong", account(password_policy=STRONG_POLICY)).status == Status.PASS


def test_missing_password_policy_fails():
    result = run_check("iam.password_policy_strong", account(password_policy=None))
    assert result.status == Status.FAIL
    assert "no password policy" in result.reason


def test_weak_password_policy_fails_with_every_shortfall():
    weak = {**STRONG_POLICY, "minimum_length": 8, "require_symbols": False, "reuse_prevention": None}
    result = run_check("iam.password_policy_strong", account(password_policy=weak))
    assert result.status == Status.FAIL
    assert "minimum length 8" in result.reason
    assert "symbols" in result.reason
    assert "remembers 0 previous passwords" in result.reason


def test_password_expiry_is_not_required():
    policy = {**STRONG_POLICY, "max_age_days": None}
    assert run_check("iam.password_policy_strong", account(password_policy=policy)).status == Status.PASS


def test_password_policy_not_collected_is_an_error_not_a_missing_policy():
    assert run_check("iam.password_policy_strong", account()).status == Status.ERROR


# iam.no_full_admin_custom_policies


def test_policy_without_full_admin_passes():
    assert run_check("iam.no_full_admin_custom_policies", policy(grants_full_admin=False)).status == Status.PASS


def test_full_admin_policy_fails_with_statements_and_attachments():
    result = run_check(
        "iam.no_full_admin_custom_policies",
        policy(grants_full_admin=True, full_admin_statements=["Everything"], attachment_count=2),
    )
    assert result.status == Status.FAIL
    assert "Everything" in result.reason
    assert "2 identities" in result.reason


def test_unattached_full_admin_policy_still_fails():
    result = run_check(
        "iam.no_full_admin_custom_policies",
        policy(grants_full_admin=True, full_admin_statements=["#1"], attachment_count=0),
    )
    assert result.status == Status.FAIL


def test_policy_whose_version_was_not_read_is_an_error():
    assert run_check("iam.no_full_admin_custom_policies", policy(attachment_count=1)).status == Status.ERROR
