"""backup.vault_customer_managed_key, pure: aws/backup and AWS-owned keys fail, customer-managed keys pass."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "backup.vault_customer_managed_key"
UID = f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:Default"


def vault(key_arn):
    return make_record("backup.vault", uid=UID, name="Default", key_arn=key_arn, encrypted=True)


def test_vault_on_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, vault(key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)
    assert result.reason == f"Vault encrypts backups with the customer-managed key {key.uid}."


def test_vault_on_the_aws_backup_key_fails_as_aws_managed():
    # ListBackupVaults names the aws/backup key by its ARN; the key's alias says whose it is.
    key = make_key("aws-backup", manager="AWS", aliases=["alias/aws/backup"])
    result = run_check(CHECK, vault(key.uid), key)
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_MANAGED)


def test_air_gapped_vault_on_an_aws_owned_key_fails_as_aws_owned():
    result = run_check(CHECK, vault(None))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_vault_on_another_accounts_key_passes(trusted):
    result = run_check(CHECK, vault(f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k"), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_vault_on_a_key_that_could_not_be_described_is_an_error():
    result = run_check(CHECK, vault(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/gone"))
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)


def test_vault_not_collected_is_an_error():
    assert run_check(CHECK, make_record("backup.vault", uid=UID, name="Default")).status == Status.ERROR
