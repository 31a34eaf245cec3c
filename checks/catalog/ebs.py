"""EBS: the per-region encryption default, volumes and snapshots encrypted with whose key, and snapshots
shared with everyone."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed
from checks.catalog.policies import shared_with_everyone

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
GUIDANCE_ACCESS = (
    "AWS data-protection guidance: give each identity only the permissions necessary to fulfil its job duties."
)
# The region's "block public access for snapshots" state, on the region record (read only where a snapshot is
# shared with all); "block-all-sharing" makes AWS treat such snapshots as private.
SNAPSHOT_BLOCK_KEY = "ebs_snapshot_block_public_access"
BLOCK_ALL_SHARING = "block-all-sharing"
BLOCK_STATE_API = "ec2:GetSnapshotBlockPublicAccessState"


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
    return encryption_verdict("Volume", volume, inventory)


@check(
    "ebs.snapshot_encrypted",
    title="EBS snapshots the account owns are encrypted",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="ec2.snapshot",
    needs=("ec2:DescribeSnapshots",),
    rationale=f"{GUIDANCE} A snapshot holds every block of the volume it was taken from; unencrypted, anyone it is "
    "shared with (or anyone, once shared publicly) can create a volume from it without any KMS permission.",
    remediation="Copy the snapshot with encryption and delete the original. Console: EC2 › Snapshots › the snapshot "
    "› Actions › Copy snapshot › Encrypt this snapshot, with a customer-managed key. CLI: aws ec2 copy-snapshot "
    "--source-region REGION --source-snapshot-id SNAPSHOT_ID --encrypted --kms-key-id KEY_ARN && aws ec2 "
    "delete-snapshot --snapshot-id SNAPSHOT_ID",
)
def snapshot_encrypted(snapshot, inventory):
    return encryption_verdict("Snapshot", snapshot, inventory)


def encryption_verdict(noun, record, inventory):
    """A volume's or snapshot's encryption, with the owner of the key that protects it."""
    if not record.evidence.get("encrypted"):
        return failed(f"{noun} is not encrypted.", key_owner=KeyOwner.UNENCRYPTED)
    key = record.key_arn
    owner = kms_key_owner(key, record.region, inventory)
    if not key:
        return passed(f"{noun} is encrypted; AWS did not name its KMS key.", key_owner=owner)
    return passed(f"{noun} is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "ebs.snapshot_not_public",
    title="No EBS snapshot is shared with everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="ec2.snapshot",
    needs=("ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute", BLOCK_STATE_API),
    # Read only where a snapshot is shared with all; unread, the permission is judged (see the reason).
    tolerates=(BLOCK_STATE_API,),
    rationale=f'{GUIDANCE_ACCESS} A snapshot whose createVolumePermission names the group "all" is public: any AWS '
    "account can create a volume from it and read every block. Sharing with named accounts is not public. Where the "
    "region's block public access for snapshots is in block-all-sharing mode, AWS treats such a snapshot as private "
    "(it passes, though its permission still says all); if that state cannot be read, the permission is judged.",
    remediation="Console: EC2 › Snapshots › the snapshot › Actions › Snapshot settings › Modify permissions: "
    "Private. Also turn on EC2 › Data protection and security › Block public access for EBS snapshots. "
    "CLI: aws ec2 modify-snapshot-attribute --snapshot-id SNAPSHOT_ID --attribute createVolumePermission "
    "--operation-type remove --group-names all && aws ec2 enable-snapshot-block-public-access --state "
    "block-all-sharing --region REGION",
)
def snapshot_not_public(snapshot, inventory):
    groups = snapshot.evidence.get("shared_with_groups")
    if groups is None:
        return errored("The createVolumePermission of this snapshot was not collected.")
    accounts = snapshot.evidence.get("shared_with_accounts") or []
    if not shared_with_everyone(groups):
        if accounts:
            return passed(f"Snapshot is shared with {len(accounts)} named account(s), not with all.")
        return passed("Snapshot is not shared with any other account.")
    region = inventory.region_record(snapshot.region)
    block = region.evidence.get(SNAPSHOT_BLOCK_KEY) if region else None
    if block == BLOCK_ALL_SHARING:
        return passed(
            f"Snapshot's permission says all, but block public access for snapshots is {block} in "
            f"{snapshot.region}, so AWS treats it as private; remove the permission before that setting changes."
        )
    if block is None:
        return failed(
            "Snapshot is shared with all: any AWS account can create a volume from it (the region's block public "
            "access state for snapshots could not be read)."
        )
    return failed(
        f"Snapshot is shared with all: any AWS account can create a volume from it (block public access for "
        f"snapshots is {block} in {snapshot.region})."
    )
