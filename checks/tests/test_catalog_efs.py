"""efs.file_system_encrypted: encrypted at rest, with whose key."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import OTHER_ACCOUNT, make_key, make_record, run_check

CHECK = "efs.file_system_encrypted"


def file_system(encrypted=True, key_arn=None):
    return make_record("efs.file_system", name="home", key_arn=key_arn, encrypted=encrypted)


def test_file_system_with_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, file_system(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_unencrypted_file_system_fails():
    result = run_check(CHECK, file_system(encrypted=False))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_file_system_with_another_accounts_key_is_external():
    result = run_check(CHECK, file_system(key_arn=f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/k2"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL


def test_encrypted_file_system_naming_no_key_is_unknown_not_aws_owned():
    result = run_check(CHECK, file_system(key_arn=None))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.UNKNOWN
