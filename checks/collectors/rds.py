"""RDS and the engines sharing its API (Aurora, DocumentDB, Neptune): DB instances, DB clusters, the parameter
groups that govern their connections, and the manual DB and DB cluster snapshots the account owns, with the
accounts each may be restored by.

Calls per region: one listing each for instances, clusters and both kinds of snapshot; the parameter group
listings only where an instance needs one; one parameter read per group in use (never per instance); one
attribute read per manual snapshot.
"""

from dataclasses import dataclass

from checks.catalog.rds import RESTORE_ATTRIBUTE, TLS_PARAMETERS
from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record

SERVICE = "rds"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeDBInstances": "rds:DescribeDBInstances",
    "DescribeDBClusters": "rds:DescribeDBClusters",
    "DescribeDBParameterGroups": "rds:DescribeDBParameterGroups",
    "DescribeDBParameters": "rds:DescribeDBParameters",
    "DescribeDBClusterParameterGroups": "rds:DescribeDBClusterParameterGroups",
    "DescribeDBClusterParameters": "rds:DescribeDBClusterParameters",
    "DescribeDBSnapshots": "rds:DescribeDBSnapshots",
    "DescribeDBSnapshotAttributes": "rds:DescribeDBSnapshotAttributes",
    "DescribeDBClusterSnapshots": "rds:DescribeDBClusterSnapshots",
    "DescribeDBClusterSnapshotAttributes": "rds:DescribeDBClusterSnapshotAttributes",
}
# DescribeDB(Cluster)Parameters accepts this one filter: only the parameters the TLS check reads come back.
TLS_FILTER = [{"Name": "parameter-name", "Values": sorted(TLS_PARAMETERS)}]


@dataclass(frozen=True)
class GroupKind:
    type: str
    listing: str
    key: str
    name_field: str  # also the parameter read's argument
    arn_field: str
    parameters: str
    arn_part: str  # "pg" in arn:aws:rds:REGION:ACCOUNT:pg:NAME


DB_GROUPS = GroupKind(
    "rds.db_parameter_group",
    "describe_db_parameter_groups",
    "DBParameterGroups",
    "DBParameterGroupName",
    "DBParameterGroupArn",
    "describe_db_parameters",
    "pg",
)
CLUSTER_GROUPS = GroupKind(
    "rds.db_cluster_parameter_group",
    "describe_db_cluster_parameter_groups",
    "DBClusterParameterGroups",
    "DBClusterParameterGroupName",
    "DBClusterParameterGroupArn",
    "describe_db_cluster_parameters",
    "cluster-pg",
)


@dataclass(frozen=True)
class SnapshotKind:
    type: str
    listing: str
    key: str
    id_field: str  # also the attribute read's argument
    arn_field: str
    encrypted_field: str
    source_field: str
    attributes: str
    result_key: str
    list_key: str


DB_SNAPSHOTS = SnapshotKind(
    "rds.db_snapshot",
    "describe_db_snapshots",
    "DBSnapshots",
    "DBSnapshotIdentifier",
    "DBSnapshotArn",
    "Encrypted",
    "DBInstanceIdentifier",
    "describe_db_snapshot_attributes",
    "DBSnapshotAttributesResult",
    "DBSnapshotAttributes",
)
CLUSTER_SNAPSHOTS = SnapshotKind(
    "rds.db_cluster_snapshot",
    "describe_db_cluster_snapshots",
    "DBClusterSnapshots",
    "DBClusterSnapshotIdentifier",
    "DBClusterSnapshotArn",
    "StorageEncrypted",
    "DBClusterIdentifier",
    "describe_db_cluster_snapshot_attributes",
    "DBClusterSnapshotAttributesResult",
    "DBClusterSnapshotAttributes",
)


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    rds = ctx.client(SERVICE, region)
    instances = listing(collected, rds, "describe_db_instances", "DBInstances")
    clusters = {
        cluster["DBClusterIdentifier"]: cluster
        for cluster in listing(collected, rds, "describe_db_clusters", "DBClusters")
    }
    governing = {instance["DBInstanceArn"]: governing_group(instance, clusters) for instance in instances}
    arns = {}
    for kind in (DB_GROUPS, CLUSTER_GROUPS):
        wanted = {name for found, name in filter(None, governing.values()) if found is kind}
        if wanted:
            arns.update(collect_groups(collected, rds, region, kind, wanted))
    for instance in instances:
        group = governing_arn(instance["DBInstanceArn"], governing[instance["DBInstanceArn"]], arns)
        collected.add(instance_record(region, instance, clusters, group))
    for cluster in clusters.values():
        collected.add(cluster_record(region, cluster))
    for kind in (DB_SNAPSHOTS, CLUSTER_SNAPSHOTS):
        collect_snapshots(collected, rds, region, kind)
    return collected


def listing(collected, rds, operation, key):
    found = []
    with collected.capture():
        # Kept page by page: a listing that fails on a later page keeps what it already listed (and the error).
        for item in pages(rds, operation, key):
            found.append(item)
    return found


def is_encrypted(item, field):
    return bool(item.get(field))


def kms_key(item, field):
    # Only an encrypted resource has a key (moto reports a placeholder on unencrypted clusters; AWS reports none).
    return (item.get("KmsKeyId") or None) if is_encrypted(item, field) else None


# --- instances and clusters -------------------------------------------------------------------------------------


def governing_group(instance, clusters):
    """(kind, name) of the parameter group whose settings govern the instance's connections, or None.

    Members of a cluster (Aurora, DocumentDB, Neptune, Multi-AZ DB clusters) take them from the cluster's group.
    """
    cluster_id = instance.get("DBClusterIdentifier")
    if cluster_id:
        cluster = clusters.get(cluster_id)
        name = cluster.get("DBClusterParameterGroup") if cluster else None
        return (CLUSTER_GROUPS, name) if name else None
    groups = instance.get("DBParameterGroups") or []
    return (DB_GROUPS, groups[0]["DBParameterGroupName"]) if groups else None


def governing_arn(instance_arn, governing, arns):
    """The governing group's ARN: from its listing, else as AWS spells it (arn:…:rds:REGION:ACCOUNT:pg:NAME)."""
    if not governing:
        return None
    if governing in arns:
        return arns[governing]
    kind, name = governing
    prefix = instance_arn.rsplit(":", 2)[0]  # arn:aws:rds:REGION:ACCOUNT of arn:aws:rds:REGION:ACCOUNT:db:NAME
    return f"{prefix}:{kind.arn_part}:{name}"


def apply_status(instance, clusters):
    cluster = clusters.get(instance.get("DBClusterIdentifier") or "")
    if cluster:
        members = [
            m
            for m in cluster.get("DBClusterMembers") or []
            if m.get("DBInstanceIdentifier") == instance.get("DBInstanceIdentifier")
        ]
        return members[0].get("DBClusterParameterGroupStatus") if members else None
    groups = instance.get("DBParameterGroups") or []
    return groups[0].get("ParameterApplyStatus") if groups else None


def instance_record(region, instance, clusters, group):
    return Record(
        uid=instance["DBInstanceArn"],
        type="rds.db_instance",
        region=region,
        name=instance.get("DBInstanceIdentifier", ""),
        evidence={
            "encrypted": is_encrypted(instance, "StorageEncrypted"),
            "engine": instance.get("Engine"),
            "engine_version": instance.get("EngineVersion"),
            "status": instance.get("DBInstanceStatus"),
            "publicly_accessible": bool(instance.get("PubliclyAccessible")),
            "cluster": instance.get("DBClusterIdentifier"),
            "tls_parameter_group": group,
            "parameter_apply_status": apply_status(instance, clusters),
        },
        key_arn=kms_key(instance, "StorageEncrypted"),
        tags=tags_dict(instance.get("TagList")),
    )


def cluster_record(region, cluster):
    return Record(
        uid=cluster["DBClusterArn"],
        type="rds.db_cluster",
        region=region,
        name=cluster.get("DBClusterIdentifier", ""),
        evidence={
            "encrypted": is_encrypted(cluster, "StorageEncrypted"),
            "engine": cluster.get("Engine"),
            "engine_version": cluster.get("EngineVersion"),
            "engine_mode": cluster.get("EngineMode"),
            "status": cluster.get("Status"),
            "members": len(cluster.get("DBClusterMembers") or []),
        },
        key_arn=kms_key(cluster, "StorageEncrypted"),
        tags=tags_dict(cluster.get("TagList")),
    )


# --- parameter groups ---------------------------------------------------------------------------------------------


def collect_groups(collected, rds, region, kind, wanted):
    """Every group of `kind` as a record, the TLS parameters read once for each group in `wanted`.

    Returns {(kind, name): ARN} for the instances to point at.
    """
    arns = {}
    for group in listing(collected, rds, kind.listing, kind.key):
        name, arn = group[kind.name_field], group[kind.arn_field]
        arns[(kind, name)] = arn
        parameters = read_parameters(collected, rds, kind, name, arn) if name in wanted else None
        collected.add(group_record(region, kind, group, parameters))
    return arns


def read_parameters(collected, rds, kind, name, arn):
    """{parameter: value} of the TLS parameters set in the group (unset ones left out); None when the read failed."""
    with collected.capture(resource_uid=arn):
        found = pages(rds, kind.parameters, "Parameters", **{kind.name_field: name}, Filters=TLS_FILTER)
        return {
            parameter["ParameterName"]: parameter["ParameterValue"]
            for parameter in found
            if parameter.get("ParameterName") in TLS_PARAMETERS and "ParameterValue" in parameter
        }
    return None


def group_record(region, kind, group, parameters):
    evidence = {"family": group.get("DBParameterGroupFamily"), "description": group.get("Description") or ""}
    if parameters is not None:
        evidence["parameters"] = parameters
    return Record(
        uid=group[kind.arn_field], type=kind.type, region=region, name=group[kind.name_field], evidence=evidence
    )


# --- manual snapshots -------------------------------------------------------------------------------------------


def collect_snapshots(collected, rds, region, kind):
    with collected.capture():
        # Manual snapshots only: automated ones cannot be shared, and their encryption is their source's.
        for snapshot in pages(rds, kind.listing, kind.key, SnapshotType="manual"):
            restore = restore_accounts(collected, rds, kind, snapshot)
            collected.add(snapshot_record(region, kind, snapshot, restore))


def restore_accounts(collected, rds, kind, snapshot):
    """The values of the snapshot's "restore" attribute (account ids, or "all"); None when the read failed."""
    with collected.capture(resource_uid=snapshot[kind.arn_field]):
        result = getattr(rds, kind.attributes)(**{kind.id_field: snapshot[kind.id_field]})[kind.result_key]
        attributes = result.get(kind.list_key) or []
        return [
            value
            for item in attributes
            if item.get("AttributeName") == "restore"
            for value in item.get("AttributeValues") or []
        ]
    return None


def snapshot_record(region, kind, snapshot, restore):
    return Record(
        uid=snapshot[kind.arn_field],
        type=kind.type,
        region=region,
        name=snapshot.get(kind.id_field, ""),
        evidence={
            "encrypted": is_encrypted(snapshot, kind.encrypted_field),
            "engine": snapshot.get("Engine"),
            "status": snapshot.get("Status"),
            "source": snapshot.get(kind.source_field),
            RESTORE_ATTRIBUTE: restore,
        },
        key_arn=kms_key(snapshot, kind.encrypted_field),
        tags=tags_dict(snapshot.get("TagList")),
    )
