"""Encryption at rest for EFS file systems."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "efs.file_system_encrypted",
    title="EFS file system is encrypted at rest",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="efs.file_system",
    needs=("efs:DescribeFileSystems",),
    rationale=f"{GUIDANCE} An unencrypted file system stores every file in it, and its backups, without KMS "
    "protection; encryption at rest can only be chosen when the file system is created.",
    remediation="EFS cannot encrypt an existing file system. Console: EFS › Create file system › Customize › "
    "Enable encryption of data at rest with a customer-managed key, then copy the data across (AWS DataSync) and "
    "move the mount targets. CLI: aws efs create-file-system --encrypted --kms-key-id KEY_ARN "
    "--creation-token TOKEN",
)
def file_system_encrypted(file_system, inventory):
    encrypted = file_system.evidence.get("encrypted")
    if encrypted is None:
        return errored("The encryption of this file system was not collected.")
    if not encrypted:
        return failed("File system is not encrypted at rest.", key_owner=KeyOwner.UNENCRYPTED)
    key = file_system.key_arn
    if not key:
        # EFS encrypts only with KMS keys: no key named means we could not see it, not an AWS-owned key.
        return passed("File system is encrypted at rest; AWS did not name its KMS key.", key_owner=KeyOwner.UNKNOWN)
    owner = inventory.key_owner(key, file_system.region)
    return passed(f"File system is encrypted at rest with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
