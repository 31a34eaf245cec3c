"""EC2: the region's EBS encryption defaults, EBS volumes, and VPCs with their flow logs."""

from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record, region_uid

SERVICE = "ec2"
SCOPE = "regional"
IAM_ACTIONS = {
    "GetEbsEncryptionByDefault": "ec2:GetEbsEncryptionByDefault",
    "GetEbsDefaultKmsKeyId": "ec2:GetEbsDefaultKmsKeyId",
    "DescribeVolumes": "ec2:DescribeVolumes",
    "DescribeVpcs": "ec2:DescribeVpcs",
    "DescribeFlowLogs": "ec2:DescribeFlowLogs",
}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    ec2 = ctx.client(SERVICE, region)
    collect_ebs_defaults(ctx, ec2, region, collected)
    collect_volumes(ctx, ec2, region, collected)
    collect_vpcs(ctx, ec2, region, collected)
    return collected


def collect_ebs_defaults(ctx, ec2, region, collected):
    evidence = {}
    with collected.capture(api="ec2:GetEbsEncryptionByDefault"):
        evidence["ebs_encryption_by_default"] = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    # Only says which key new volumes get; moto does not implement it (HTTP 500), so its failure is one
    # recorded error on this API and must not cost us the setting itself or the volumes.
    with collected.capture(api="ec2:GetEbsDefaultKmsKeyId"):
        evidence["ebs_default_kms_key_id"] = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
    if evidence:
        collected.add(
            Record(uid=region_uid(ctx.account_id, region), type="region", region=region, name=region, evidence=evidence)
        )


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
