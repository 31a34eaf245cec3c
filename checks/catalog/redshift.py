"""Amazon Redshift provisioned clusters: encryption at rest with whose key, TLS-only connections (the cluster
parameter group's require_ssl) and public accessibility."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed
from checks.catalog.rds import pending

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."
GUIDANCE_ACCESS = (
    "AWS data-protection guidance: give each identity only the permissions necessary to fulfil its job duties."
)
CLUSTER_NEEDS = ("redshift:DescribeClusters",)
REQUIRE_SSL = "require_ssl"  # the cluster parameter that refuses plain connections ("true")


@check(
    "redshift.cluster_encrypted",
    title="Redshift clusters are encrypted at rest",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="redshift.cluster",
    needs=CLUSTER_NEEDS,
    rationale=f"{GUIDANCE} A data warehouse concentrates an organisation's data; unencrypted, its disks and its "
    "snapshots in S3 need no KMS permission to read. Redshift now encrypts new clusters by default (an AWS-owned "
    "key unless a KMS key is chosen); older clusters may still be unencrypted.",
    remediation="Console: Redshift › Clusters › the cluster › Properties › Database configurations › Edit encryption: "
    "AWS KMS with a customer-managed key (Redshift migrates the data to an encrypted cluster). CLI: aws redshift "
    "modify-cluster --cluster-identifier CLUSTER --encrypted --kms-key-id KEY_ARN",
)
def cluster_encrypted(cluster, inventory):
    encrypted = cluster.evidence.get("encrypted")
    if encrypted is None:
        return errored("Whether this cluster is encrypted was not collected.")
    if not encrypted:
        return failed("Cluster is not encrypted at rest.", key_owner=KeyOwner.UNENCRYPTED)
    if cluster.evidence.get("hsm"):
        return passed(
            "Cluster is encrypted with a key held in a hardware security module (HSM) the account configures.",
            key_owner=KeyOwner.CUSTOMER_MANAGED,
        )
    key = cluster.key_arn
    if not key:
        return passed("Cluster is encrypted with the AWS-owned key Redshift uses by default.", KeyOwner.AWS_OWNED)
    owner = inventory.key_owner(key, cluster.region)
    return passed(f"Cluster is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "redshift.cluster_require_ssl",
    title="Redshift clusters refuse connections without TLS (require_ssl)",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="redshift.cluster",
    needs=(*CLUSTER_NEEDS, "redshift:DescribeClusterParameterGroups", "redshift:DescribeClusterParameters"),
    rationale=f"{GUIDANCE_TLS} Unless the cluster's parameter group sets require_ssl to true, Redshift also accepts "
    "plain connections, and a client that does not ask for TLS sends credentials and query results in clear.",
    remediation="The default parameter group cannot be changed: create one, set require_ssl, attach it and reboot. "
    "Console: Redshift › Configurations › Workload management › Create parameter group › Parameters › Edit: "
    "require_ssl = true; then Clusters › the cluster › Properties › Edit › Parameter group. CLI: aws redshift "
    "modify-cluster-parameter-group --parameter-group-name GROUP --parameters "
    "ParameterName=require_ssl,ParameterValue=true && aws redshift modify-cluster --cluster-identifier CLUSTER "
    "--cluster-parameter-group-name GROUP && aws redshift reboot-cluster --cluster-identifier CLUSTER",
)
def cluster_require_ssl(cluster, inventory):
    uid = cluster.evidence.get("parameter_group")
    if not uid:
        return errored("The cluster's parameter group was not reported.")
    name = uid.rsplit(":", 1)[-1]
    group = inventory.get(uid)
    parameters = group.evidence.get("parameters") if group else None
    if parameters is None:
        return errored(f"The parameters of cluster parameter group {name} were not read.")
    value = parameters.get(REQUIRE_SSL)
    where = f"parameter group {name}{pending(cluster)}"
    if value is None:
        return errored(f"Parameter group {name} did not report require_ssl.")
    if value.strip().lower() == "true":
        return passed(f"require_ssl is true in {where}: connections without TLS are refused.")
    return failed(f"require_ssl is {value} in {where}: connections without TLS are accepted.")


@check(
    "redshift.cluster_not_publicly_accessible",
    title="Redshift clusters are not publicly accessible",
    area=Area.ACCESS,
    severity=Severity.HIGH,
    resource_type="redshift.cluster",
    needs=CLUSTER_NEEDS,
    rationale=f"{GUIDANCE_ACCESS} A publicly accessible cluster has a public IP address: one security-group rule "
    "away from the whole internet. The flag is judged, not today's security groups.",
    remediation="Console: Redshift › Clusters › the cluster › Actions › Modify publicly accessible setting: off. "
    "CLI: aws redshift modify-cluster --cluster-identifier CLUSTER --no-publicly-accessible",
)
def cluster_not_publicly_accessible(cluster, inventory):
    public = cluster.evidence.get("publicly_accessible")
    if public is None:
        return errored("The PubliclyAccessible flag of this cluster was not collected.")
    if public:
        return failed("Cluster is publicly accessible: it has a public IP address.")
    return passed("Cluster is not publicly accessible.")
