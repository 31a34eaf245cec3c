"""EC2 collector against the moto server: EBS defaults, volumes, VPCs joined with flow logs.

moto ignores MaxResults on DescribeVolumes/DescribeVpcs/DescribeFlowLogs, so EC2 paging cannot be
exercised here; the other collectors' tests cover paging through the same pages() helper.
"""

from types import SimpleNamespace

from checks.collectors import ec2
from checks.collectors.base import ScanContext
from checks.inventory import region_uid
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, ec2.collect(ctx, region)


def by_type(collected, type_):
    return {record.uid: record for record in collected.records if record.type == type_}


def test_default_key_500_is_one_recorded_error_and_the_rest_is_still_collected(aws):
    client = aws.client("ec2")
    client.enable_ebs_encryption_by_default()
    volume_id = client.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    ctx, collected = scan(aws)
    [region] = by_type(collected, "region").values()
    assert region.uid == region_uid(aws.account_id, "us-east-1")
    assert region.evidence["ebs_encryption_by_default"] is True
    # moto answers GetEbsDefaultKmsKeyId with HTTP 500: one recorded error on that API, nothing else.
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("ec2:GetEbsDefaultKmsKeyId", "us-east-1", "")
    assert "ebs_default_kms_key_id" not in region.evidence
    assert [uid.rsplit("/", 1)[1] for uid in by_type(collected, "ec2.volume")] == [volume_id]
    assert by_type(collected, "ec2.vpc")
    assert ctx.call_log.repeated() == {}


def test_default_key_id_lands_on_the_region_record_when_aws_answers(aws):
    # moto lacks the API; answer it the way AWS does when no key was chosen (the aws/ebs alias).
    alias_arn = f"arn:aws:kms:us-east-1:{aws.account_id}:alias/aws/ebs"

    def answer(**kwargs):
        return SimpleNamespace(status_code=200), {"KmsKeyId": alias_arn}

    aws.session.events.register("before-call.ec2.GetEbsDefaultKmsKeyId", answer)
    ctx, collected = scan(aws)
    [region] = by_type(collected, "region").values()
    assert region.evidence == {"ebs_encryption_by_default": False, "ebs_default_kms_key_id": alias_arn}
    assert collected.errors == []


def test_volumes_are_collected_with_encryption_and_key(aws):
    client = aws.client("ec2")
    encrypted = client.create_volume(
        AvailabilityZone="us-east-1a",
        Size=8,
        Encrypted=True,
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "data"}]}],
    )
    plain = client.create_volume(AvailabilityZone="us-east-1a", Size=2)
    ctx, collected = scan(aws)
    volumes = by_type(collected, "ec2.volume")
    arn = f"arn:aws:ec2:us-east-1:{aws.account_id}:volume/{encrypted['VolumeId']}"
    assert volumes[arn].evidence["encrypted"] is True
    assert volumes[arn].key_arn == encrypted["KmsKeyId"]
    assert volumes[arn].name == "data"
    assert volumes[arn].tags == {"Name": "data"}
    assert volumes[arn].evidence["size_gib"] == 8
    assert volumes[arn].evidence["attachments"] == 0
    plain_arn = f"arn:aws:ec2:us-east-1:{aws.account_id}:volume/{plain['VolumeId']}"
    assert volumes[plain_arn].evidence["encrypted"] is False
    assert volumes[plain_arn].key_arn is None
    assert volumes[plain_arn].name == plain["VolumeId"]
    assert ctx.call_log.repeated() == {}


def test_vpcs_are_joined_with_their_flow_logs(aws):
    client = aws.client("ec2")
    logged = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    aws.client("logs").create_log_group(logGroupName="flow")
    [flow_log_id] = client.create_flow_logs(
        ResourceIds=[logged],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogGroupName="flow",
        DeliverLogsPermissionArn=f"arn:aws:iam::{aws.account_id}:role/flow-logs",
    )["FlowLogIds"]
    ctx, collected = scan(aws)
    vpcs = {record.uid.rsplit("/", 1)[1]: record for record in by_type(collected, "ec2.vpc").values()}
    assert vpcs[logged].evidence["flow_logs"] == [
        {
            "id": flow_log_id,
            "status": "ACTIVE",
            "deliver_status": "SUCCESS",
            "traffic_type": "REJECT",
            "destination_type": "cloud-watch-logs",
        }
    ]
    [default] = [record for record in vpcs.values() if record.evidence["is_default"]]
    assert default.evidence["flow_logs"] == []
    flow_log_calls = [key for key in ctx.call_log.calls if key[2] == "DescribeFlowLogs"]
    assert len(flow_log_calls) == 1  # one call per region, joined in memory
    assert ctx.call_log.repeated() == {}


def test_denied_flow_logs_are_a_gap_and_leave_flow_logs_unknown(aws):
    deny(aws.session, "ec2", "DescribeFlowLogs")
    ctx, collected = scan(aws)
    [error] = [error for error in collected.errors if error.api == "ec2:DescribeFlowLogs"]
    assert error.code == "AccessDenied"
    assert error.resource_uid == ""
    assert error.region == "us-east-1"
    vpcs = by_type(collected, "ec2.vpc").values()
    assert vpcs
    assert all("flow_logs" not in vpc.evidence for vpc in vpcs)
    assert ctx.call_log.repeated() == {}


def test_denied_volume_listing_is_a_gap_but_ebs_defaults_are_kept(aws):
    deny(aws.session, "ec2", "DescribeVolumes")
    aws.client("ec2", "eu-west-1").create_volume(AvailabilityZone="eu-west-1a", Size=1)
    ctx, collected = scan(aws, "eu-west-1")
    apis = {error.api for error in collected.errors}
    assert apis == {"ec2:DescribeVolumes", "ec2:GetEbsDefaultKmsKeyId"}
    assert all(error.region == "eu-west-1" for error in collected.errors)
    assert by_type(collected, "ec2.volume") == {}
    [region] = by_type(collected, "region").values()
    assert region.evidence["ebs_encryption_by_default"] is False
    assert ctx.call_log.repeated() == {}


# --- snapshots the account owns, with whom they are shared ----------------------------------------------------------


def snapshot_of(client, encrypted=False, name=None, description=""):
    options = {"Encrypted": True} if encrypted else {}
    volume = client.create_volume(AvailabilityZone="us-east-1a", Size=4, **options)
    tags = [{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": name}]}] if name else []
    return client.create_snapshot(VolumeId=volume["VolumeId"], Description=description, TagSpecifications=tags)


def encrypted_copy(client, snapshot_id, key_arn):
    # moto records no key on a snapshot taken of an encrypted volume (AWS names the volume's key); a copy made
    # with a key carries it.
    return client.copy_snapshot(
        SourceSnapshotId=snapshot_id, SourceRegion="us-east-1", Encrypted=True, KmsKeyId=key_arn
    )


def answer_block_state(aws, state):
    """moto lacks GetSnapshotBlockPublicAccessState (HTTP 500): answer it as AWS does."""

    def answer(**kwargs):
        return SimpleNamespace(status_code=200), {"State": state}

    aws.session.events.register("before-call.ec2.GetSnapshotBlockPublicAccessState", answer)


def test_snapshots_are_collected_with_key_description_and_sharing(aws):
    client = aws.client("ec2")
    public = snapshot_of(client, name="nightly", description="Nightly copy of the orders volume")
    client.modify_snapshot_attribute(
        SnapshotId=public["SnapshotId"], Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    shared = encrypted_copy(client, snapshot_of(client)["SnapshotId"], key_arn)
    client.modify_snapshot_attribute(
        SnapshotId=shared["SnapshotId"],
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=["210987654321"],
    )
    answer_block_state(aws, "unblocked")
    ctx, collected = scan(aws)
    snapshots = by_type(collected, "ec2.snapshot")
    public_arn = f"arn:aws:ec2:us-east-1:{aws.account_id}:snapshot/{public['SnapshotId']}"
    assert snapshots[public_arn].name == "nightly"
    assert snapshots[public_arn].tags == {"Name": "nightly"}
    assert snapshots[public_arn].evidence["description"] == "Nightly copy of the orders volume"
    assert snapshots[public_arn].evidence["encrypted"] is False
    assert snapshots[public_arn].key_arn is None
    assert (
        snapshots[public_arn].evidence["shared_with_groups"],
        snapshots[public_arn].evidence["shared_with_accounts"],
    ) == (["all"], [])
    shared_arn = f"arn:aws:ec2:us-east-1:{aws.account_id}:snapshot/{shared['SnapshotId']}"
    assert snapshots[shared_arn].name == shared["SnapshotId"]
    assert snapshots[shared_arn].evidence["encrypted"] is True
    assert snapshots[shared_arn].key_arn == key_arn
    assert snapshots[shared_arn].evidence["shared_with_accounts"] == ["210987654321"]
    [region] = by_type(collected, "region").values()
    assert region.evidence["ebs_snapshot_block_public_access"] == "unblocked"
    attribute_calls = [key for key in ctx.call_log.calls if key[2] == "DescribeSnapshotAttribute"]
    assert len(attribute_calls) == 3  # one per snapshot (the copy's source too), nothing else per snapshot
    assert ctx.call_log.repeated() == {}


def test_without_a_public_snapshot_the_block_state_is_not_read(aws):
    snapshot_of(aws.client("ec2"))
    ctx, collected = scan(aws)
    assert not [key for key in ctx.call_log.calls if key[2] == "GetSnapshotBlockPublicAccessState"]
    [region] = by_type(collected, "region").values()
    assert "ebs_snapshot_block_public_access" not in region.evidence


def test_moto_lacks_the_block_state_so_it_is_one_recorded_error(aws):
    client = aws.client("ec2")
    public = snapshot_of(client)
    client.modify_snapshot_attribute(
        SnapshotId=public["SnapshotId"], Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    ctx, collected = scan(aws)
    apis = sorted(error.api for error in collected.errors)
    assert apis == ["ec2:GetEbsDefaultKmsKeyId", "ec2:GetSnapshotBlockPublicAccessState"]
    [region] = by_type(collected, "region").values()
    assert "ebs_snapshot_block_public_access" not in region.evidence


def test_snapshots_of_other_accounts_are_not_collected(aws):
    # OwnerIds=self: public snapshots of others (moto preloads some unless told not to) never appear.
    snapshot_of(aws.client("ec2"))
    ctx, collected = scan(aws)
    [call] = [key for key in ctx.call_log.calls if key[2] == "DescribeSnapshots"]
    assert '"Owner.1": "self"' in call[3]
    assert len(by_type(collected, "ec2.snapshot")) == 1


def test_a_failed_permission_read_keeps_the_snapshot_with_an_error_on_it(aws):
    made = snapshot_of(aws.client("ec2"), encrypted=True)
    deny(aws.session, "ec2", "DescribeSnapshotAttribute")
    ctx, collected = scan(aws)
    [snapshot] = by_type(collected, "ec2.snapshot").values()
    assert snapshot.evidence["shared_with_groups"] is None
    assert snapshot.evidence["encrypted"] is True
    [error] = [error for error in collected.errors if error.api == "ec2:DescribeSnapshotAttribute"]
    assert (error.code, error.resource_uid) == (
        "AccessDenied",
        f"arn:aws:ec2:us-east-1:{aws.account_id}:snapshot/{made['SnapshotId']}",
    )
