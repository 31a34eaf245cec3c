"""EC2: the region's EBS encryption defaults, EBS volumes, the EBS snapshots the account owns with whom they are
shared, and VPCs with their flow logs."""

from checks.catalog.ebs import SNAPSHOT_BLOCK_KEY
from checks.catalog.policies import shared_with_everyone
from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record, region_uid

SERVICE = "ec2"
SCOPE = "regional"
IAM_ACTIONS = {
    "GetEbsEncryptionByDefault": "ec2:GetEbsEncryptionByDefault",
    "GetEbsDefaultKmsKeyId": "ec2:GetEbsDefaultKmsKeyId",
    "DescribeVolumes": "ec2:DescribeVolumes",
    "DescribeSnapshots": "ec2:DescribeSnapshots",
    "DescribeSnapshotAttribute": "ec2:DescribeSnapshotAttribute",
    "GetSnapshotBlockPublicAccessState": "ec2:GetSnapshotBlockPublicAccessState",
    "DescribeVpcs": "ec2:DescribeVpcs",
    "DescribeFlowLogs": "ec2:DescribeFlowLogs",
}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    ec2 = ctx.client(SERVICE, region)
    settings = {}  # the region's EBS settings, kept on its region record
    collect_ebs_defaults(ec2, settings, collected)
    collect_volumes(ctx, ec2, region, collected)
    collect_snapshots(ctx, ec2, region, settings, collected)
    if settings:
        collected.add(
            Record(uid=region_uid(ctx.account_id, region), type="region", region=region, name=region, evidence=settings)
        )
    collect_vpcs(ctx, ec2, region, collected)
    return collected


def collect_ebs_defaults(ec2, evidence, collected):
    with collected.capture(api="ec2:GetEbsEncryptionByDefault"):
        evidence["ebs_encryption_by_default"] = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    # Only says which key new volumes get; moto does not implement it (HTTP 500), so its failure is one
    # recorded error on this API and must not cost us the setting itself or the volumes.
    with collected.capture(api="ec2:GetEbsDefaultKmsKeyId"):
        evidence["ebs_default_kms_key_id"] = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")


def collect_volumes(ctx, ec2, region, collected):
    with collected.capture(api="ec2:DescribeVolumes"):
        for volume in pages(ec2, "describe_volumes", "Volumes"):
            collected.add(volume_record(ctx.account_id, region, volume))


def volume_record(account_id, region, volume):
    volume_id = volume["VolumeId"]
    tags = tags_dict(volume.get("Tags"))
    return Record(
        uid=f"arn:aws:ec2:{region}:{account_id}:volume/{volume_id}",
        type="ec2.volume",
        region=region,
        name=tags.get("Name") or volume_id,
        evidence={
            "encrypted": bool(volume.get("Encrypted")),
            "state": volume.get("State"),
            "size_gib": volume.get("Size"),
            "volume_type": volume.get("VolumeType"),
            "availability_zone": volume.get("AvailabilityZone"),
            "attachments": len(volume.get("Attachments") or []),
        },
        key_arn=volume.get("KmsKeyId") or None,
        tags=tags,
    )


def collect_snapshots(ctx, ec2, region, settings, collected):
    """The account's own snapshots, each with one createVolumePermission read (and nothing else per snapshot)."""
    snapshots = []
    with collected.capture(api="ec2:DescribeSnapshots"):
        snapshots = list(pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"]))
    records = [
        snapshot_record(
            ctx.account_id, region, snapshot, create_volume_permissions(ctx, ec2, region, snapshot, collected)
        )
        for snapshot in snapshots
    ]
    for record in records:
        collected.add(record)
    if any(shared_with_everyone(record.evidence["shared_with_groups"]) for record in records):
        # Only then does the region's block public access state matter: block-all-sharing keeps them private.
        with collected.capture(api="ec2:GetSnapshotBlockPublicAccessState"):
            settings[SNAPSHOT_BLOCK_KEY] = ec2.get_snapshot_block_public_access_state()["State"]


def snapshot_arn(account_id, region, snapshot_id):
    # With the owner's account, as moto's tagging API lists snapshots (and as volumes are spelled). AWS spells
    # snapshot ARNs without one (arn:aws:ec2:REGION::snapshot/ID); tags join on either (inventory.tag_join_key).
    return f"arn:aws:ec2:{region}:{account_id}:snapshot/{snapshot_id}"


def create_volume_permissions(ctx, ec2, region, snapshot, collected):
    """The snapshot's createVolumePermission entries ({"Group": "all"} / {"UserId": …}); None when the read failed."""
    snapshot_id = snapshot["SnapshotId"]
    with collected.capture(
        resource_uid=snapshot_arn(ctx.account_id, region, snapshot_id), api="ec2:DescribeSnapshotAttribute"
    ):
        answer = ec2.describe_snapshot_attribute(SnapshotId=snapshot_id, Attribute="createVolumePermission")
        return answer.get("CreateVolumePermissions") or []
    return None


def snapshot_record(account_id, region, snapshot, permissions):
    snapshot_id = snapshot["SnapshotId"]
    tags = tags_dict(snapshot.get("Tags"))
    evidence = {
        "encrypted": bool(snapshot.get("Encrypted")),
        "state": snapshot.get("State"),
        "volume_id": snapshot.get("VolumeId"),
        "size_gib": snapshot.get("VolumeSize"),
        "description": snapshot.get("Description") or "",
        "shared_with_groups": None,
        "shared_with_accounts": None,
    }
    if permissions is not None:
        evidence["shared_with_groups"] = [entry["Group"] for entry in permissions if entry.get("Group")]
        evidence["shared_with_accounts"] = [entry["UserId"] for entry in permissions if entry.get("UserId")]
    return Record(
        uid=snapshot_arn(account_id, region, snapshot_id),
        type="ec2.snapshot",
        region=region,
        name=tags.get("Name") or snapshot_id,
        evidence=evidence,
        key_arn=(snapshot.get("KmsKeyId") or None) if evidence["encrypted"] else None,
        tags=tags,
    )


def collect_vpcs(ctx, ec2, region, collected):
    vpcs = []
    with collected.capture(api="ec2:DescribeVpcs"):
        vpcs = list(pages(ec2, "describe_vpcs", "Vpcs"))
    if not vpcs:
        return  # no VPC to join flow logs to: skip the second call
    flow_logs = None  # None = unknown (the call failed), not "no flow logs"
    with collected.capture(api="ec2:DescribeFlowLogs"):
        flow_logs = flow_logs_by_resource(pages(ec2, "describe_flow_logs", "FlowLogs"))
    for vpc in vpcs:
        # VPCs shared with us through RAM belong to (and are logged by) their owner's account.
        if vpc.get("OwnerId", ctx.account_id) != ctx.account_id:
            continue
        collected.add(vpc_record(ctx.account_id, region, vpc, flow_logs))


def flow_logs_by_resource(flow_logs):
    joined = {}
    for flow_log in flow_logs:
        joined.setdefault(flow_log.get("ResourceId"), []).append(
            {
                "id": flow_log.get("FlowLogId"),
                "status": flow_log.get("FlowLogStatus"),
                "deliver_status": flow_log.get("DeliverLogsStatus"),
                "traffic_type": flow_log.get("TrafficType"),
                "destination_type": flow_log.get("LogDestinationType"),
            }
        )
    return joined


def vpc_record(account_id, region, vpc, flow_logs):
    vpc_id = vpc["VpcId"]
    tags = tags_dict(vpc.get("Tags"))
    evidence = {"is_default": bool(vpc.get("IsDefault")), "cidr_block": vpc.get("CidrBlock"), "state": vpc.get("State")}
    if flow_logs is not None:
        evidence["flow_logs"] = flow_logs.get(vpc_id, [])
    return Record(
        uid=f"arn:aws:ec2:{region}:{account_id}:vpc/{vpc_id}",
        type="ec2.vpc",
        region=region,
        name=tags.get("Name") or vpc_id,
        evidence=evidence,
        tags=tags,
    )
