"""athena.workgroup_results_encrypted, pure: results encrypted and the setting enforced on clients."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "athena.workgroup_results_encrypted"
UID = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/analysts"


def workgroup(option=None, key_arn=None, enforce=True, minimum=False):
    return make_record(
        "athena.workgroup",
        uid=UID,
        name="analysts",
        key_arn=key_arn,
        encrypted=option is not None,
        results_encryption=option,
        enforce_workgroup_configuration=enforce,
        minimum_encryption_enforced=minimum,
    )


def test_enforced_sse_kms_with_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, workgroup("SSE_KMS", key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_enforced_sse_s3_passes_as_aws_owned():
    result = run_check(CHECK, workgroup("SSE_S3"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_OWNED)
    assert "SSE-S3" in result.reason


def test_workgroup_without_results_encryption_fails():
    result = run_check(CHECK, workgroup(None))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_encryption_that_clients_may_override_fails_with_its_key_owner():
    key = make_key("k1")
    result = run_check(CHECK, workgroup("SSE_KMS", key.uid, enforce=False), key)
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.CUSTOMER_MANAGED)
    assert "clients can override it" in result.reason


def test_minimum_encryption_enforces_it_without_overriding_clients():
    result = run_check(CHECK, workgroup("CSE_KMS", "alias/aws/s3", enforce=False, minimum=True))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


@pytest.mark.parametrize(("key_arn", "owner"), [(None, KeyOwner.AWS_OWNED), ("alias/aws/s3", KeyOwner.AWS_MANAGED)])
def test_athena_managed_results_are_encrypted(key_arn, owner):
    option = "MANAGED_SSE_KMS" if key_arn else "MANAGED"
    result = run_check(CHECK, workgroup(option, key_arn))
    assert (result.status, result.key_owner) == (Status.PASS, owner)
    assert "Athena-managed storage" in result.reason


def test_configuration_not_read_is_an_error():
    assert run_check(CHECK, make_record("athena.workgroup", uid=UID, name="analysts")).status == Status.ERROR
