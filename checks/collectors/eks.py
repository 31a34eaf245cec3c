"""EKS: clusters and whether their Kubernetes secrets are envelope-encrypted with a KMS key."""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "eks"
SCOPE = "regional"
IAM_ACTIONS = {"ListClusters": "eks:ListClusters", "DescribeCluster": "eks:DescribeCluster"}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    eks = ctx.client(SERVICE, region)
    names = []
    with collected.capture(api="eks:ListClusters"):
        names = list(pages(eks, "list_clusters", "clusters"))
    for name in names:
        arn = f"arn:aws:eks:{region}:{ctx.account_id}:cluster/{name}"
        cluster = None
        with collected.capture(resource_uid=arn, api="eks:DescribeCluster"):
            cluster = eks.describe_cluster(name=name)["cluster"]
        # A cluster whose description failed is still listed, so its check shows ERROR rather than vanish.
        collected.add(cluster_record(arn, region, name, cluster))
    return collected


def secrets_key(cluster):
    """The KMS key of the encryption provider whose resources include Kubernetes secrets, else None."""
    for config in cluster.get("encryptionConfig") or []:
        if "secrets" in (config.get("resources") or []):
            return (config.get("provider") or {}).get("keyArn") or None
    return None


def cluster_record(arn, region, name, cluster):
    if cluster is None:
        return Record(uid=arn, type="eks.cluster", region=region, name=name)
    key = secrets_key(cluster)
    return Record(
        uid=cluster.get("arn") or arn,
        type="eks.cluster",
        region=region,
        name=name,
        evidence={
            "encrypted": True,  # etcd's volumes always are; what the check judges is the envelope key
            "secrets_encrypted_with_kms": key is not None,
            "kubernetes_version": cluster.get("version"),
            "status": cluster.get("status"),
        },
        key_arn=key,
    )
