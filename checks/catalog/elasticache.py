"""ElastiCache (Valkey / Redis OSS) replication groups: encryption at rest and in transit."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

NEEDS = ("elasticache:DescribeReplicationGroups",)
GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."
REQUIRED = "required"


@check(
    "elasticache.replication_group_at_rest_encrypted",
    title="ElastiCache replication group is encrypted at rest",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="elasticache.replication_group",
    needs=NEEDS,
    rationale=f"{GUIDANCE} Without at-rest encryption ElastiCache writes the cache to disk during sync, backup "
    "and swap, and stores its backups in S3, unencrypted. It can only be chosen when the group is created.",
    remediation="ElastiCache cannot encrypt an existing replication group at rest. Console: ElastiCache › the "
    "cache › Actions › Backup; then Create cache from that backup with Encryption at rest enabled (ideally with a "
    "customer-managed key) and move clients to it. CLI: aws elasticache create-replication-group "
    "--replication-group-id NEW_ID --replication-group-description DESCRIPTION --snapshot-name BACKUP "
    "--at-rest-encryption-enabled --kms-key-id KEY_ARN",
)
def replication_group_at_rest_encrypted(group, inventory):
    encrypted = group.evidence.get("encrypted")
    if encrypted is None:
        return errored("The encryption of this replication group was not collected.")
    if not encrypted:
        return failed("Replication group is not encrypted at rest.", key_owner=KeyOwner.UNENCRYPTED)
    key = group.key_arn
    if not key:
        return passed("Replication group is encrypted at rest with ElastiCache's default key.", KeyOwner.AWS_OWNED)
    owner = inventory.key_owner(key, group.region)
    return passed(f"Replication group is encrypted at rest with KMS key {key} ({KeyOwner(owner).label}).", owner)


@check(
    "elasticache.replication_group_in_transit_encrypted",
    title="ElastiCache replication group accepts only TLS connections",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type="elasticache.replication_group",
    needs=NEEDS,
    rationale=f"{GUIDANCE_TLS} Without in-transit encryption, clients and replicas exchange cached data (often "
    "session tokens and personal data) in plain text. Transit encryption mode 'preferred' is the migration "
    "step: it still accepts unencrypted connections; only 'required' refuses them.",
    remediation="Console: ElastiCache › the cache › Actions › Modify › Security › Encryption in transit: Enable "
    "with Transit encryption mode Preferred, move every client to TLS, then Modify again to Required. CLI: aws "
    "elasticache modify-replication-group --replication-group-id ID --transit-encryption-enabled "
    "--transit-encryption-mode preferred --apply-immediately, then the same with --transit-encryption-mode required",
)
def replication_group_in_transit_encrypted(group, inventory):
    enabled = group.evidence.get("transit_encryption")
    if enabled is None:
        return errored("The in-transit encryption of this replication group was not collected.")
    if not enabled:
        return failed("In-transit encryption is off: clients connect in plain text.")
    mode = group.evidence.get("transit_encryption_mode")
    if mode and mode != REQUIRED:
        return failed(f"In-transit encryption mode is '{mode}': unencrypted connections are still accepted.")
    return passed("In-transit encryption is on" + (" in 'required' mode." if mode else " (TLS only)."))
