"""Encryption at rest for EBS: the per-region default and every volume."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


def kms_key_owner(key_ref, region, inventory):
    # EBS encrypts only with KMS keys (never an AWS-owned key), so an encrypted volume or default that names
    # no key means we could not see it, not "AWS-owned".
    return inventory.key_owner(key_ref, region) if key_ref else KeyOwner.UNKNOWN


@check(
    "ebs.encryption_by_default",
    title="EBS encryption by default is on in the region",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="region",
    needs=("ec2:GetEbsEncryptionByDefault",),
    rationale=f"{GUIDANCE} With encryption by default on, every new EBS volume and snapshot copy in the region is "
    "encrypted whoever creates it, so no unencrypted volume can appear by omission.",
    remediation="Console: EC2 › Settings (Data protection and security) › EBS encryption › Manage: tick 'Always "
    "encrypt new EBS volumes' and choose a customer-managed KMS key. Repeat in every region. "
    "CLI: aws ec2 enable-ebs-encryption-by-default --region REGION && aws ec2 modify-ebs-default-kms-key-id "
    "--kms-key-id KEY_ARN --region REGION",
)
def encryption_by_default(region, inventory):
    enabled = region.evidence.get("ebs_encryption_by_default")
    name = region.region
    if enabled is None:
        return errored(f"The EBS encryption-by-default setting of {name} was not collected.")
    if not enabled:
        return failed(
            f"EBS encryption by default is off in {name}: new volumes are created unencrypted.",
            key_owner=KeyOwner.UNENCRYPTED,
        )
    key = region.evidence.get("ebs_default_kms_key_id")
    owner = kms_key_owner(key, name, inventory)
    if not key:
        return passed(
            f"EBS encryption by default is on in {name}; its default KMS key could not be read.", key_owner=owner
        )
    return passed(
        f"EBS encryption by default is on in {name} with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner
    )


@check(
    "ebs.volume_encrypted",
    title="EBS volume is encrypted",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="ec2.volume",
    needs=("ec2:DescribeVolumes",),
    rationale=f"{GUIDANCE} An unencrypted EBS volume leaves its data, and every snapshot taken from it, readable "
    "without any KMS permission.",
    remediation="EBS cannot encrypt a volume in place. Console: EC2 › Volumes › the volume › Create snapshot; "
    "Snapshots › Copy snapshot with 'Encrypt this snapshot' and a customer-managed key; create a volume from the "
    "copy and swap it in. Then turn on encryption by default. CLI: aws ec2 create-snapshot --volume-id VOLUME_ID "
    "&& aws ec2 copy-snapshot --source-region REGION --source-snapshot-id SNAPSHOT_ID --encrypted --kms-key-id "
    "KEY_ARN && aws ec2 create-volume --snapshot-id COPY_ID --availability-zone AZ",
)
def volume_encrypted(volume, inventory):
    if not volume.evidence.get("encrypted"):
        return failed("Volume is not encrypted.", key_owner=KeyOwner.UNENCRYPTED)
    key = volume.key_arn
    owner = kms_key_owner(key, volume.region, inventory)
    if not key:
        return passed("Volume is encrypted; AWS did not name its KMS key.", key_owner=owner)
    return passed(f"Volume is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)
