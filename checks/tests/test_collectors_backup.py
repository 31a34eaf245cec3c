"""Backup collector against the moto server: vaults and their keys, from ListBackupVaults alone."""

from checks.collectors import backup
from checks.collectors.base import ScanContext
from checks.tests.stubs import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, backup.collect(ctx, region)


def test_vaults_record_their_key(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client = aws.client("backup")
    sealed = client.create_backup_vault(BackupVaultName="prod-backups", EncryptionKeyArn=key_arn)["BackupVaultArn"]
    default = client.create_backup_vault(BackupVaultName="Default")["BackupVaultArn"]
    ctx, collected = scan(aws)
    vaults = {record.uid: record for record in collected.records}
    assert sealed == f"arn:aws:backup:us-east-1:{aws.account_id}:backup-vault:prod-backups"
    assert vaults[sealed].type == "backup.vault"
    assert vaults[sealed].key_arn == key_arn
    # AWS names the aws/backup key's ARN here; moto names none, which means the same default.
    assert vaults[default].key_arn == "alias/aws/backup"
    assert [call[2] for call in ctx.call_log.calls] == ["ListBackupVaults"]


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "backup", "ListBackupVaults")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("backup:ListBackupVaults", "eu-west-1", "")


def vault(name, **extra):
    return {
        "BackupVaultName": name,
        "BackupVaultArn": f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:{name}",
        **extra,
    }


def test_air_gapped_vault_on_an_aws_owned_key_names_no_key_and_pages_are_followed():
    """moto serves neither logically air-gapped vaults nor MaxResults on ListBackupVaults: the Stubber does."""
    aws_key = "arn:aws:kms:us-east-1:999999999999:key/aws-owned"  # in an account of AWS's, not another customer's
    air_gapped = vault(
        "vault-lag",
        VaultType="LOGICALLY_AIR_GAPPED_BACKUP_VAULT",
        EncryptionKeyType="AWS_OWNED_KMS_KEY",
        EncryptionKeyArn=aws_key,
    )
    with stubbed("backup") as (ctx, stubber):
        stubber.add_response("list_backup_vaults", {"BackupVaultList": [vault("Default")], "NextToken": "2"}, {})
        stubber.add_response("list_backup_vaults", {"BackupVaultList": [air_gapped]}, {"NextToken": "2"})
        collected = backup.collect(ctx, "us-east-1")
    default, lag = collected.records
    assert default.key_arn == "alias/aws/backup"
    assert lag.key_arn is None
    assert lag.evidence["vault_type"] == "LOGICALLY_AIR_GAPPED_BACKUP_VAULT"
