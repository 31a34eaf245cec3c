"""sagemaker.notebook_kms_encrypted, pure: a KMS key for the notebook's volumes."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "sagemaker.notebook_kms_encrypted"
UID = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/research"


def notebook(key_arn=None):
    return make_record("sagemaker.notebook_instance", uid=UID, name="research", key_arn=key_arn, encrypted=True)


def test_notebook_with_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, notebook(key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_notebook_without_a_key_fails_as_aws_owned():
    result = run_check(CHECK, notebook())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)


def test_notebook_with_another_accounts_key_passes_as_external():
    result = run_check(CHECK, notebook(f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_notebook_not_described_is_an_error():
    bare = make_record("sagemaker.notebook_instance", uid=UID, name="research")
    assert run_check(CHECK, bare).status == Status.ERROR
