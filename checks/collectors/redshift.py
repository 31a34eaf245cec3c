"""Amazon Redshift: provisioned clusters (encryption and its key, public accessibility) and the cluster parameter
groups, with require_ssl read once for each group a cluster uses."""

from checks.catalog.redshift import REQUIRE_SSL
from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record

SERVICE = "redshift"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeClusters": "redshift:DescribeClusters",
    "DescribeClusterParameterGroups": "redshift:DescribeClusterParameterGroups",
    "DescribeClusterParameters": "redshift:DescribeClusterParameters",
}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    redshift = ctx.client(SERVICE, region)
    clusters = []
    with collected.capture(api="redshift:DescribeClusters"):
        clusters = list(pages(redshift, "describe_clusters", "Clusters"))
    for cluster in clusters:
        collected.add(cluster_record(ctx.account_id, region, cluster))
    wanted = {group for cluster in clusters if (group := parameter_group_name(cluster))}
    if wanted:
        collect_parameter_groups(ctx, redshift, region, wanted, collected)
    return collected


def arn(account_id, region, kind, name):
    # DescribeClusters returns no ARN; AWS spells them arn:aws:redshift:REGION:ACCOUNT:cluster:NAME
    # and …:parametergroup:NAME.
    return f"arn:aws:redshift:{region}:{account_id}:{kind}:{name}"


def parameter_group_name(cluster):
    groups = cluster.get("ClusterParameterGroups") or []
    return groups[0].get("ParameterGroupName") if groups else None


def cluster_record(account_id, region, cluster):
    name = cluster["ClusterIdentifier"]
    encrypted = bool(cluster.get("Encrypted"))
    # Encrypted without a key id: Redshift's own default key, which is AWS-owned (judged by the check).
    key = (cluster.get("KmsKeyId") or None) if encrypted else None
    group = parameter_group_name(cluster)
    groups = cluster.get("ClusterParameterGroups") or []
    return Record(
        uid=arn(account_id, region, "cluster", name),
        type="redshift.cluster",
        region=region,
        name=name,
        evidence={
            "encrypted": encrypted,
            "hsm": bool((cluster.get("HsmStatus") or {}).get("HsmConfigurationIdentifier")),
            "publicly_accessible": bool(cluster.get("PubliclyAccessible")),
            "status": cluster.get("ClusterStatus"),
            "node_type": cluster.get("NodeType"),
            "parameter_group": arn(account_id, region, "parametergroup", group) if group else None,
            "parameter_apply_status": groups[0].get("ParameterApplyStatus") if groups else None,
        },
        key_arn=key,
        tags=tags_dict(cluster.get("Tags")),
    )


def collect_parameter_groups(ctx, redshift, region, wanted, collected):
    """Every cluster parameter group as a record; require_ssl read once for each group a cluster uses."""
    groups = []
    with collected.capture(api="redshift:DescribeClusterParameterGroups"):
        groups = list(pages(redshift, "describe_cluster_parameter_groups", "ParameterGroups"))
    for group in groups:
        name = group["ParameterGroupName"]
        uid = arn(ctx.account_id, region, "parametergroup", name)
        parameters = read_parameters(redshift, name, uid, collected) if name in wanted else None
        evidence = {"family": group.get("ParameterGroupFamily"), "description": group.get("Description") or ""}
        if parameters is not None:
            evidence["parameters"] = parameters
        collected.add(
            Record(
                uid=uid,
                type="redshift.parameter_group",
                region=region,
                name=name,
                evidence=evidence,
                tags=tags_dict(group.get("Tags")),
            )
        )


def read_parameters(redshift, name, uid, collected):
    """{parameter: value} of the TLS parameters the group reports; None when the read failed."""
    with collected.capture(resource_uid=uid, api="redshift:DescribeClusterParameters"):
        found = pages(redshift, "describe_cluster_parameters", "Parameters", ParameterGroupName=name)
        return {
            parameter["ParameterName"]: parameter["ParameterValue"]
            for parameter in found
            if parameter.get("ParameterName") == REQUIRE_SSL and "ParameterValue" in parameter
        }
    return None
