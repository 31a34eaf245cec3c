"""AWS Backup vaults: recovery points encrypted with a customer-managed key."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    Severity,
    check,
    customer_managed_key_verdict,
    errored,
)


@check(
    "backup.vault_customer_managed_key",
    title="Backup vault encrypts backups with a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="backup.vault",
    needs=("backup:ListBackupVaults",),
    rationale='AWS data-protection guidance: prefer keys you own and manage ("If you supply customer owned and '
    'managed KMS key, all customer data is encrypted using the customer provided key"). A vault holds copies of '
    "everything it backs up; with the AWS-managed aws/backup key (or a key AWS owns), anyone the account lets "
    "restore can read them, while a customer-managed key adds a key policy you control and can be shared to a "
    "recovery account. Recovery points of services without full AWS Backup management keep their source's key. "
    f"{EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="A vault's key is fixed when it is created. Console: AWS Backup › Backup vaults › Create backup "
    "vault › Encryption key: a customer-managed key; point the backup plans' rules at the new vault. CLI: aws backup "
    "create-backup-vault --backup-vault-name NAME --encryption-key-arn KEY_ARN",
)
def vault_customer_managed_key(vault, inventory):
    if vault.evidence.get("encrypted") is None:
        return errored("The encryption of this vault was not collected.")
    return customer_managed_key_verdict("Vault encrypts backups with", vault.key_arn, vault.region, inventory)
