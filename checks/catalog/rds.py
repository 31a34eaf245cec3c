"""Encryption at rest for RDS DB instances."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "rds.instance_storage_encrypted",
    title="RDS DB instance storage is encrypted",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="rds.db_instance",
    needs=("rds:DescribeDBInstances",),
    rationale=f"{GUIDANCE} An unencrypted DB instance leaves its storage, automated backups, read replicas and "
    "snapshots readable without any KMS permission; encryption can only be chosen when the instance is created.",
    remediation="RDS cannot encrypt an existing instance in place. Console: RDS › Snapshots › take a snapshot › "
    "Copy snapshot with encryption and a customer-managed key › Restore snapshot, then point clients at the new "
    "instance. CLI: aws rds create-db-snapshot --db-instance-identifier DB --db-snapshot-identifier SNAP && "
    "aws rds copy-db-snapshot --source-db-snapshot-identifier SNAP --target-db-snapshot-identifier SNAP-enc "
    "--kms-key-id KEY_ARN && aws rds restore-db-instance-from-db-snapshot --db-instance-identifier DB-enc "
    "--db-snapshot-identifier SNAP-enc",
)
def instance_storage_encrypted(instance, inventory):
    encrypted = instance.evidence.get("encrypted")
    if encrypted is None:
        return errored("The storage encryption of this DB instance was not collected.")
    if not encrypted:
        return failed("DB instance storage is not encrypted.", key_owner=KeyOwner.UNENCRYPTED)
    key = instance.key_arn
    if not key:
        # RDS encrypts only with KMS keys: no key named means we could not see it, not an AWS-owned key.
        return passed("DB instance storage is encrypted; AWS did not name its KMS key.", key_owner=KeyOwner.UNKNOWN)
    owner = inventory.key_owner(key, instance.region)
    return passed(f"DB instance storage is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
