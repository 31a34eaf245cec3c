"""AWS Backup: backup vaults and the KMS key that encrypts their recovery points."""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "backup"
SCOPE = "regional"
IAM_ACTIONS = {"ListBackupVaults": "backup:ListBackupVaults"}
# A vault created without a key uses the AWS-managed aws/backup key (ListBackupVaults then names that key's ARN).
DEFAULT_KEY = "alias/aws/backup"
AWS_OWNED = "AWS_OWNED_KMS_KEY"  # logically air-gapped vaults may use a key AWS owns, in an account of AWS's


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    backup = ctx.client(SERVICE, region)
    # ListBackupVaults names each vault's key: no per-vault call.
    with collected.capture(api="backup:ListBackupVaults"):
        for vault in pages(backup, "list_backup_vaults", "BackupVaultList"):
            collected.add(vault_record(region, vault))
    return collected


def vault_key(vault):
    if vault.get("EncryptionKeyType") == AWS_OWNED:
        return None  # its ARN is in AWS's own account: not another customer's key
    return vault.get("EncryptionKeyArn") or DEFAULT_KEY


def vault_record(region, vault):
    return Record(
        uid=vault["BackupVaultArn"],
        type="backup.vault",
        region=region,
        name=vault["BackupVaultName"],
        evidence={
            "encrypted": True,
            "vault_type": vault.get("VaultType") or "BACKUP_VAULT",
            "encryption_key_type": vault.get("EncryptionKeyType"),
            "locked": bool(vault.get("Locked")),
        },
        key_arn=vault_key(vault),
    )
