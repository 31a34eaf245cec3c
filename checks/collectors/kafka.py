"""Amazon MSK: provisioned and serverless clusters, the key that encrypts their data at rest and how clients
and brokers reach each other.

ListClustersV2 lists both kinds with their encryption settings (ListClusters lists only provisioned ones),
so one paginated call per region holds everything the checks read.
"""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "kafka"
SCOPE = "regional"
IAM_ACTIONS = {"ListClustersV2": "kafka:ListClustersV2"}
SERVERLESS = "SERVERLESS"
# MSK always encrypts at rest; a provisioned cluster created without a key uses the AWS-managed aws/kafka key.
DEFAULT_KEY = "alias/aws/kafka"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    kafka = ctx.client(SERVICE, region)
    with collected.capture(api="kafka:ListClustersV2"):
        for cluster in pages(kafka, "list_clusters_v2", "ClusterInfoList"):
            collected.add(cluster_record(region, cluster))
    return collected


def cluster_record(region, cluster):
    kind = cluster.get("ClusterType")
    evidence = {"encrypted": True, "cluster_type": kind, "state": cluster.get("State")}
    key_arn = None  # MSK Serverless encrypts with a key the service owns; no customer key can be chosen
    if kind != SERVERLESS:
        encryption = (cluster.get("Provisioned") or {}).get("EncryptionInfo") or {}
        transit = encryption.get("EncryptionInTransit") or {}
        # Not reported stays None: the API reference and the developer guide disagree on ClientBroker's default.
        evidence.update(client_broker=transit.get("ClientBroker"), in_cluster=transit.get("InCluster"))
        key_arn = (encryption.get("EncryptionAtRest") or {}).get("DataVolumeKMSKeyId") or DEFAULT_KEY
    return Record(
        uid=cluster["ClusterArn"],
        type="kafka.cluster",
        region=region,
        name=cluster.get("ClusterName", ""),
        evidence=evidence,
        key_arn=key_arn,
    )
