"""EKS clusters: Kubernetes secrets envelope-encrypted with a KMS key."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
# From Kubernetes 1.28 EKS envelope-encrypts all Kubernetes API data by default, with a key AWS owns.
DEFAULT_ENVELOPE_VERSION = (1, 28)


def version_tuple(version):
    try:
        return tuple(int(part) for part in str(version).split(".")[:2])
    except ValueError:
        return None


def default_envelope_phrase(version):
    parsed = version_tuple(version)
    if parsed is None:
        return f"Kubernetes version {version or 'unknown'}"
    if parsed >= DEFAULT_ENVELOPE_VERSION:
        return f"Kubernetes {version} envelope-encrypts them only with EKS's default AWS-owned key"
    return f"on Kubernetes {version} they are only on EKS's encrypted disks, not envelope-encrypted"


@check(
    "eks.cluster_secrets_encrypted",
    title="EKS cluster envelope-encrypts Kubernetes secrets with a KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="eks.cluster",
    needs=("eks:ListClusters", "eks:DescribeCluster"),
    rationale=f"{GUIDANCE} Kubernetes secrets hold database passwords, tokens and certificates. With a KMS key "
    "of yours as the cluster's secrets encryption provider, reading a secret from etcd needs that key, whose "
    "policy you control and whose every use is logged. Clusters on Kubernetes 1.28 or later are envelope-encrypted "
    "by default, but with a key AWS owns: nobody can restrict or audit it.",
    remediation="Console: EKS › Clusters › the cluster › Overview › Secrets encryption › Enable, and choose a "
    "symmetric customer-managed KMS key in the cluster's region (this cannot be undone). CLI: aws eks "
    "associate-encryption-config --cluster-name NAME --encryption-config "
    '\'[{"resources":["secrets"],"provider":{"keyArn":"KEY_ARN"}}]\'',
)
def cluster_secrets_encrypted(cluster, inventory):
    configured = cluster.evidence.get("secrets_encrypted_with_kms")
    if configured is None:
        return errored("The encryption configuration of this cluster was not collected.")
    if not configured:
        phrase = default_envelope_phrase(cluster.evidence.get("kubernetes_version"))
        return failed(f"No KMS key encrypts Kubernetes secrets: {phrase}.", key_owner=KeyOwner.AWS_OWNED)
    key = cluster.key_arn
    owner = inventory.key_owner(key, cluster.region)
    return passed(f"Kubernetes secrets are envelope-encrypted with KMS key {key} ({KeyOwner(owner).label}).", owner)
