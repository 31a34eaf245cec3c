"""Amazon MSK clusters: data at rest under a customer-managed key, and TLS between clients and brokers."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    KeyOwner,
    Severity,
    check,
    errored,
    errored_unknown_key,
    failed,
    passed,
    passed_external_key,
)

NEEDS = ("kafka:ListClustersV2",)
SERVERLESS = "SERVERLESS"
TLS_ONLY = "TLS"


def serverless(cluster):
    return cluster.evidence.get("cluster_type") == SERVERLESS


@check(
    "kafka.cluster_customer_managed_key",
    title="MSK cluster encrypts its data at rest with a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="kafka.cluster",
    needs=NEEDS,
    rationale='AWS data-protection guidance: prefer keys you own and manage ("If you supply customer owned and '
    'managed KMS key, all customer data is encrypted using the customer provided key"). MSK always encrypts its '
    "broker volumes, but with the AWS-managed aws/kafka key unless the cluster was created with your own; MSK "
    "Serverless uses a key the service owns. Only your key lets your key policy restrict, audit and revoke access "
    f"to the topics' data. {EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="The key is chosen when a provisioned cluster is created. Console: Amazon MSK › Create cluster › "
    "Custom create › Security › Encrypt data at rest: Use customer managed key; then move topics with MSK "
    "Replicator (or MirrorMaker 2) and clients to the new cluster. CLI: aws kafka create-cluster "
    "--cluster-name NAME --broker-node-group-info file://brokers.json --kafka-version VERSION "
    "--number-of-broker-nodes 3 --encryption-info EncryptionAtRest={DataVolumeKMSKeyId=KEY_ARN}",
)
def cluster_customer_managed_key(cluster, inventory):
    if cluster.evidence.get("encrypted") is None:
        return errored("The encryption of this cluster was not collected.")
    if serverless(cluster):
        return failed(
            "MSK Serverless encrypts with a key the service owns; a customer-managed key needs a provisioned cluster.",
            key_owner=KeyOwner.AWS_OWNED,
        )
    # The collector names aws/kafka, MSK's AWS-managed default, when the cluster reports no key of its own.
    key = cluster.key_arn or "alias/aws/kafka"
    owner = inventory.key_owner(key, cluster.region)
    if owner == KeyOwner.AWS_MANAGED:
        return failed(f"Cluster encrypts its data at rest with the AWS-managed key {key} (aws/kafka).", owner)
    if owner == KeyOwner.CUSTOMER_MANAGED:
        return passed(f"Cluster encrypts its data at rest with the customer-managed key {key}.", owner)
    if owner == KeyOwner.EXTERNAL:
        return passed_external_key(f"Cluster encrypts its data at rest with {key}", key, inventory)
    return errored_unknown_key(f"Cluster encrypts its data at rest with {key}", key, cluster.region, inventory)


@check(
    "kafka.cluster_in_transit_tls",
    title="MSK clients and brokers talk over TLS only",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type="kafka.cluster",
    needs=NEEDS,
    rationale="AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later. "
    "MSK uses TLS 1.2, but only where the cluster requires it: client-broker setting TLS_PLAINTEXT or PLAINTEXT "
    "lets producers and consumers send records in plain text, and in-cluster encryption off replicates them "
    "between brokers unencrypted. MSK Serverless accepts only IAM-authenticated TLS connections.",
    remediation="Console: Amazon MSK › the cluster › Properties › Security settings › Edit: encryption between "
    "clients and brokers TLS only (move clients to the TLS bootstrap brokers first). In-cluster encryption can "
    "only be chosen at creation: create a new cluster with it on and migrate. CLI: aws kafka update-security "
    "--cluster-arn ARN --current-version VERSION --encryption-info "
    "EncryptionInTransit={ClientBroker=TLS}",
)
def cluster_in_transit_tls(cluster, inventory):
    if serverless(cluster):
        return passed("MSK Serverless accepts only TLS connections (IAM access control over TLS).")
    client_broker, in_cluster = cluster.evidence.get("client_broker"), cluster.evidence.get("in_cluster")
    if client_broker is None or in_cluster is None:
        return errored("MSK did not report the cluster's encryption in transit (client-broker and in-cluster).")
    problems = []
    if client_broker != TLS_ONLY:
        problems.append(f"clients may connect with {client_broker}")
    if not in_cluster:
        problems.append("brokers replicate between themselves unencrypted")
    if problems:
        return failed(f"Traffic is not TLS only: {'; '.join(problems)}.")
    return passed("Clients reach the brokers over TLS only, and traffic between brokers is encrypted.")
