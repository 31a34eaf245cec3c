"""proton.template_customer_managed_key, and NOT_APPLICABLE where Proton does not answer."""

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate, evaluate_check
from checks.inventory import CollectionError, region_uid
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check

CHECK = "proton.template_customer_managed_key"
EXTERNAL_KEY = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k9"


def template(encryption_key="unset", kind="environment", **evidence):
    if encryption_key != "unset":
        evidence["encryption_key"] = encryption_key
    return make_record(
        "proton.template",
        name="web",
        key_arn=evidence.get("encryption_key"),
        template_kind=kind,
        encrypted=True,
        **evidence,
    )


def test_template_with_customer_managed_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, template(key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_template_with_another_accounts_key_passes_whether_or_not_that_account_is_trusted(trusted):
    result = run_check(CHECK, template(EXTERNAL_KEY, kind="service"), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert OTHER_ACCOUNT in result.reason
    assert "kms.external_account_key" in result.reason


def test_untrusted_accounts_key_fails_once_in_kms_external_account_key_only():
    record = template(EXTERNAL_KEY)
    assert run_check(CHECK, record).status == Status.PASS
    assert run_check("kms.external_account_key", record).status == Status.FAIL


def test_template_without_encryption_key_fails_as_proton_owned():
    result = run_check(CHECK, template(None))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_OWNED
    assert "Proton-owned" in result.reason


def test_template_with_aws_managed_key_fails():
    key = make_key("k2", manager="AWS", aliases=["alias/aws/proton"])
    result = run_check(CHECK, template(key.uid), key)
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_template_with_undescribed_key_is_an_error_not_a_pass():
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/missing"
    result = run_check(CHECK, template(key_arn))
    assert result.status == Status.ERROR
    assert result.key_owner == KeyOwner.UNKNOWN
    assert result.reason == (
        f"The environment template is encrypted with {key_arn}, a key this scan could not describe: "
        f"{key_arn} is not among this account's KMS keys listed in {REGION} (deleted, or never there)."
    )


def test_template_whose_key_was_not_described_names_the_refusal():
    key = make_key("k1", manager=None)
    denied = CollectionError("kms", REGION, "kms:DescribeKey", "AccessDeniedException", "no", key.uid)
    result = run_check(CHECK, template(key.uid), key, errors=[denied])
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert f"kms:DescribeKey failed on {key.uid} (AccessDeniedException)" in result.reason


def test_template_whose_details_were_not_read_is_an_error():
    assert run_check(CHECK, template()).status == Status.ERROR


def test_unavailable_proton_gap_is_not_applicable_on_the_region_and_touches_no_other_check():
    gap = CollectionError("proton", REGION, "proton:*", "500", "AWS Proton reached end of support.", unavailable=True)
    inventory = make_inventory(errors=[gap])
    [evaluation] = evaluate_check(CATALOG[CHECK], inventory)
    assert evaluation.record.uid == region_uid(ACCOUNT, REGION)
    assert evaluation.result.status == Status.NOT_APPLICABLE
    assert "end of support" in evaluation.result.reason
    assert [e.check_id for e in evaluate(inventory) if "Proton" in e.result.reason] == [CHECK]


def test_access_denied_on_proton_stays_an_error():
    gap = CollectionError("proton", REGION, "proton:ListEnvironmentTemplates", "AccessDeniedException", "no")
    [evaluation] = evaluate_check(CATALOG[CHECK], make_inventory(errors=[gap]))
    assert evaluation.result.status == Status.ERROR
