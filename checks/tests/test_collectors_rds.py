"""RDS collector against the moto server: instances, clusters, the parameter groups governing their connections,
manual snapshots with their restore attribute."""

from botocore.stub import Stubber

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors import rds
from checks.collectors.base import ScanContext
from checks.tests.builders import make_inventory
from conftest import MOTO_ACCOUNT, deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, rds.collect(ctx, region)


def create_instance(client, name, engine="postgres", **options):
    client.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine=engine,
        MasterUsername="admin_user",
        MasterUserPassword="a-long-password-1",
        AllocatedStorage=20,
        **options,
    )


def test_instances_record_storage_encryption_key_engine_and_tags(aws):
    client = aws.client("rds")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    create_instance(
        client, "orders", StorageEncrypted=True, KmsKeyId=key_arn, Tags=[{"Key": "team", "Value": "payments"}]
    )
    create_instance(client, "legacy", engine="mysql")
    ctx, collected = scan(aws)
    found = {record.name: record for record in collected.records}
    assert found["orders"].uid == f"arn:aws:rds:us-east-1:{aws.account_id}:db:orders"
    assert found["orders"].type == "rds.db_instance"
    assert found["orders"].evidence["encrypted"] is True
    assert found["orders"].evidence["engine"] == "postgres"
    assert found["orders"].key_arn == key_arn
    assert found["orders"].tags == {"team": "payments"}
    assert found["legacy"].evidence["encrypted"] is False
    assert found["legacy"].key_arn is None
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "rds", "DescribeDBInstances")
    ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.code, error.region, error.resource_uid) == (
        "rds:DescribeDBInstances",
        "AccessDenied",
        "eu-west-1",
        "",
    )
    assert collected.records == []


def test_unencrypted_cluster_member_names_no_key(aws):
    # moto reports a placeholder KmsKeyId on unencrypted Aurora clusters and their instances; AWS reports none.
    client = aws.client("rds")
    client.create_db_cluster(
        DBClusterIdentifier="plain", Engine="aurora-mysql", MasterUsername="admin_user", MasterUserPassword="pw-123456"
    )
    client.create_db_instance(
        DBInstanceIdentifier="plain-1",
        DBInstanceClass="db.r6g.large",
        Engine="aurora-mysql",
        DBClusterIdentifier="plain",
    )
    ctx, collected = scan(aws)
    found = {(record.type, record.name): record for record in collected.records}
    assert found[("rds.db_cluster", "plain")].evidence["encrypted"] is False
    assert found[("rds.db_cluster", "plain")].key_arn is None
    assert found[("rds.db_instance", "plain-1")].key_arn is None


def test_clusters_record_engine_encryption_and_key(aws):
    client = aws.client("rds")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-postgresql",
        MasterUsername="admin_user",
        MasterUserPassword="pw-123456",
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        Tags=[{"Key": "team", "Value": "payments"}],
    )
    ctx, collected = scan(aws)
    [cluster] = [record for record in collected.records if record.type == "rds.db_cluster"]
    assert cluster.uid == f"arn:aws:rds:us-east-1:{aws.account_id}:cluster:ledger"
    assert cluster.evidence["encrypted"] is True
    assert cluster.evidence["engine"] == "aurora-postgresql"
    assert cluster.key_arn == key_arn
    assert cluster.tags == {"team": "payments"}
    assert collected.errors == []


# --- parameter groups and the group that governs each instance's connections ----------------------------------


def parameter_group(client, name, family, **parameters):
    client.create_db_parameter_group(
        DBParameterGroupName=name, DBParameterGroupFamily=family, Description=f"{name} settings"
    )
    if parameters:
        client.modify_db_parameter_group(
            DBParameterGroupName=name,
            Parameters=[
                {"ParameterName": key.replace("__", "."), "ParameterValue": value, "ApplyMethod": "immediate"}
                for key, value in parameters.items()
            ],
        )
    return f"arn:aws:rds:us-east-1:{MOTO_ACCOUNT}:pg:{name}"


def test_each_parameter_group_in_use_is_read_once_and_keeps_only_tls_parameters(aws):
    client = aws.client("rds")
    tls_on = parameter_group(client, "tls-on", "postgres15", rds__force_ssl="1", work_mem="1024")
    parameter_group(client, "unused", "postgres15", rds__force_ssl="0")
    for name in ("orders", "billing"):
        create_instance(client, name, DBParameterGroupName="tls-on")
    create_instance(client, "legacy", engine="mysql")  # moto gives it default.mysql5.6
    ctx, collected = scan(aws)
    found = {(record.type, record.name): record for record in collected.records}
    assert found[("rds.db_instance", "orders")].evidence["tls_parameter_group"] == tls_on
    assert found[("rds.db_instance", "billing")].evidence["tls_parameter_group"] == tls_on
    assert found[("rds.db_instance", "orders")].evidence["parameter_apply_status"] == "in-sync"
    group = found[("rds.db_parameter_group", "tls-on")]
    assert group.uid == tls_on
    # moto ignores the parameter-name filter; the collector keeps the TLS parameters only either way.
    assert group.evidence == {
        "family": "postgres15",
        "description": "tls-on settings",
        "parameters": {"rds.force_ssl": "1"},
    }
    assert found[("rds.db_parameter_group", "default.mysql5.6")].evidence["parameters"] == {}
    assert "parameters" not in found[("rds.db_parameter_group", "unused")].evidence  # listed, never read
    reads = [call for call in ctx.call_log.calls if call[2] == "DescribeDBParameters"]
    assert len(reads) == 2  # tls-on and default.mysql5.6, each once for three instances
    assert ctx.call_log.repeated() == {}
    assert collected.errors == []


def test_cluster_members_read_the_cluster_parameter_group(aws):
    client = aws.client("rds")
    client.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="secure-transport", DBParameterGroupFamily="aurora-mysql8.0", Description="TLS only"
    )
    client.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="secure-transport",
        Parameters=[{"ParameterName": "require_secure_transport", "ParameterValue": "ON", "ApplyMethod": "immediate"}],
    )
    client.create_db_cluster(
        DBClusterIdentifier="shop",
        Engine="aurora-mysql",
        MasterUsername="admin_user",
        MasterUserPassword="pw-123456",
        DBClusterParameterGroupName="secure-transport",
    )
    client.create_db_instance(
        DBInstanceIdentifier="shop-1", DBInstanceClass="db.r6g.large", Engine="aurora-mysql", DBClusterIdentifier="shop"
    )
    ctx, collected = scan(aws)
    found = {(record.type, record.name): record for record in collected.records}
    group_arn = f"arn:aws:rds:us-east-1:{aws.account_id}:cluster-pg:secure-transport"
    member = found[("rds.db_instance", "shop-1")]
    assert member.evidence["cluster"] == "shop"
    assert member.evidence["tls_parameter_group"] == group_arn
    assert member.evidence["parameter_apply_status"] == "in-sync"
    group = found[("rds.db_cluster_parameter_group", "secure-transport")]
    assert (group.uid, group.evidence["parameters"]) == (group_arn, {"require_secure_transport": "ON"})
    assert not [call for call in ctx.call_log.calls if call[2] == "DescribeDBParameters"]  # no instance group read
    assert collected.errors == []


def test_a_failed_parameter_read_is_an_error_on_that_group_only(aws):
    client = aws.client("rds")
    parameter_group(client, "tls-on", "postgres15", rds__force_ssl="1")
    create_instance(client, "orders", DBParameterGroupName="tls-on")
    deny(aws.session, "rds", "DescribeDBParameters")
    ctx, collected = scan(aws)
    [error] = collected.errors
    group_arn = f"arn:aws:rds:us-east-1:{aws.account_id}:pg:tls-on"
    assert (error.api, error.resource_uid) == ("rds:DescribeDBParameters", group_arn)
    [group] = [record for record in collected.records if record.type == "rds.db_parameter_group"]
    assert "parameters" not in group.evidence


def test_no_instance_no_parameter_group_calls(aws):
    ctx, collected = scan(aws)
    operations = {call[2] for call in ctx.call_log.calls}
    assert operations == {
        "DescribeDBInstances",
        "DescribeDBClusters",
        "DescribeDBSnapshots",
        "DescribeDBClusterSnapshots",
    }
    assert collected.records == []


# --- manual snapshots and who may restore them ---------------------------------------------------------------------


def test_manual_snapshots_record_encryption_key_and_restore_attribute(aws):
    client = aws.client("rds")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    create_instance(client, "orders")
    create_instance(client, "vault", StorageEncrypted=True, KmsKeyId=key_arn)
    client.create_db_snapshot(DBSnapshotIdentifier="orders-public", DBInstanceIdentifier="orders")
    client.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="orders-public", AttributeName="restore", ValuesToAdd=["all"]
    )
    client.create_db_snapshot(DBSnapshotIdentifier="vault-shared", DBInstanceIdentifier="vault")
    client.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="vault-shared", AttributeName="restore", ValuesToAdd=["210987654321"]
    )
    client.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-postgresql",
        MasterUsername="admin_user",
        MasterUserPassword="pw-123456",
    )
    client.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="ledger-manual", DBClusterIdentifier="ledger")
    ctx, collected = scan(aws)
    snapshots = {
        record.name: record
        for record in collected.records
        if record.type in ("rds.db_snapshot", "rds.db_cluster_snapshot")
    }
    # moto also keeps automated snapshots of every instance and cluster: they are not listed (SnapshotType=manual).
    assert sorted(snapshots) == ["ledger-manual", "orders-public", "vault-shared"]
    public = snapshots["orders-public"]
    assert public.uid == f"arn:aws:rds:us-east-1:{aws.account_id}:snapshot:orders-public"
    assert public.type == "rds.db_snapshot"
    assert (public.evidence["encrypted"], public.key_arn, public.evidence["restore_accounts"]) == (False, None, ["all"])
    assert public.evidence["source"] == "orders"
    shared = snapshots["vault-shared"]
    assert (shared.evidence["encrypted"], shared.key_arn) == (True, key_arn)
    assert shared.evidence["restore_accounts"] == ["210987654321"]
    cluster_snapshot = snapshots["ledger-manual"]
    assert cluster_snapshot.uid == f"arn:aws:rds:us-east-1:{aws.account_id}:cluster-snapshot:ledger-manual"
    assert cluster_snapshot.type == "rds.db_cluster_snapshot"
    assert cluster_snapshot.evidence["restore_accounts"] == []
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_a_failed_attribute_read_keeps_the_snapshot_with_an_error_on_it(aws):
    client = aws.client("rds")
    create_instance(client, "orders")
    client.create_db_snapshot(DBSnapshotIdentifier="orders-manual", DBInstanceIdentifier="orders")
    deny(aws.session, "rds", "DescribeDBSnapshotAttributes")
    ctx, collected = scan(aws)
    [snapshot] = [record for record in collected.records if record.type == "rds.db_snapshot"]
    assert snapshot.evidence["restore_accounts"] is None
    assert snapshot.evidence["encrypted"] is False  # the rest of the snapshot is still judged
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == (
        "rds:DescribeDBSnapshotAttributes",
        "AccessDenied",
        snapshot.uid,
    )


def test_denied_snapshot_listing_is_a_gap_and_the_instances_stay(aws):
    create_instance(aws.client("rds"), "orders")
    deny(aws.session, "rds", "DescribeDBClusterSnapshots")
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("rds:DescribeDBClusterSnapshots", "")
    assert [record.name for record in collected.records if record.type == "rds.db_instance"] == ["orders"]


# --- what moto cannot hold: DocumentDB (moto refuses the engine), played through botocore's Stubber ---------------


def stubbed_scan(aws, *answers):
    """Collect us-east-1 from a Stubber playing `answers` ((operation, response, expected params), in call order)."""
    client = aws.session.client("rds", region_name="us-east-1")
    stubber = Stubber(client)
    for operation, response, expected in answers:
        stubber.add_response(operation, response, expected)
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    ctx.client = lambda service, region=None, **config: client
    with stubber:
        collected = rds.collect(ctx, "us-east-1")
    stubber.assert_no_pending_responses()
    return collected


def test_a_documentdb_member_is_judged_on_its_cluster_groups_tls_setting(aws):
    prefix = f"arn:aws:rds:us-east-1:{aws.account_id}"
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/docs"
    instance = {
        "DBInstanceIdentifier": "docs-1",
        "DBInstanceArn": f"{prefix}:db:docs-1",
        "Engine": "docdb",
        "EngineVersion": "5.0.0",
        "StorageEncrypted": True,
        "KmsKeyId": key,
        "DBClusterIdentifier": "docs",
        "PubliclyAccessible": False,
    }
    cluster = {
        "DBClusterIdentifier": "docs",
        "DBClusterArn": f"{prefix}:cluster:docs",
        "Engine": "docdb",
        "StorageEncrypted": True,
        "KmsKeyId": key,
        "DBClusterParameterGroup": "docs-params",
        "DBClusterMembers": [{"DBInstanceIdentifier": "docs-1", "DBClusterParameterGroupStatus": "pending-reboot"}],
    }
    group = {
        "DBClusterParameterGroupName": "docs-params",
        "DBParameterGroupFamily": "docdb5.0",
        "Description": "Document store",
        "DBClusterParameterGroupArn": f"{prefix}:cluster-pg:docs-params",
    }
    collected = stubbed_scan(
        aws,
        ("describe_db_instances", {"DBInstances": [instance]}, None),
        ("describe_db_clusters", {"DBClusters": [cluster]}, None),
        ("describe_db_cluster_parameter_groups", {"DBClusterParameterGroups": [group]}, None),
        (
            "describe_db_cluster_parameters",
            {"Parameters": [{"ParameterName": "tls", "ParameterValue": "disabled"}]},
            {"DBClusterParameterGroupName": "docs-params", "Filters": rds.TLS_FILTER},
        ),
        ("describe_db_snapshots", {"DBSnapshots": []}, {"SnapshotType": "manual"}),
        ("describe_db_cluster_snapshots", {"DBClusterSnapshots": []}, {"SnapshotType": "manual"}),
    )
    assert collected.errors == []
    inventory = make_inventory(*collected.records, account_id=aws.account_id)
    member = inventory.get(f"{prefix}:db:docs-1")
    assert member.evidence["tls_parameter_group"] == f"{prefix}:cluster-pg:docs-params"
    result = CATALOG["rds.instance_tls_enforced"].run(member, inventory)
    assert result.status == Status.FAIL
    assert result.reason == (
        "tls is disabled in DB cluster parameter group docs-params (its changes are pending-reboot, so the running "
        "value may differ): connections without TLS are accepted."
    )
    assert inventory.get(f"{prefix}:cluster:docs").key_arn == key
