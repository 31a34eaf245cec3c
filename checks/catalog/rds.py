"""RDS (and the engines sharing its API: Aurora, DocumentDB, Neptune): storage and snapshot encryption with
whose key, snapshots restorable by everyone, publicly accessible instances, and TLS-only connections."""

from dataclasses import dataclass

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, not_applicable, passed
from checks.catalog.policies import shared_with_everyone

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."
GUIDANCE_ACCESS = (
    "AWS data-protection guidance: give each identity only the permissions necessary to fulfil its job duties."
)
SNAPSHOT_TYPES = ("rds.db_snapshot", "rds.db_cluster_snapshot")
SUBJECTS = {
    "rds.db_instance": "DB instance storage",
    "rds.db_cluster": "DB cluster storage",
    "rds.db_snapshot": "DB snapshot",
    "rds.db_cluster_snapshot": "DB cluster snapshot",
}
RESTORE_ATTRIBUTE = "restore_accounts"  # the snapshot's "restore" attribute values; None: not read


def encryption_verdict(record, inventory):
    """PASS with the key owner, or FAIL, for anything RDS encrypts with a KMS key (storage or snapshot)."""
    subject = SUBJECTS[record.type]
    encrypted = record.evidence.get("encrypted")
    if encrypted is None:
        return errored(f"{subject}: whether it is encrypted was not collected.")
    if not encrypted:
        return failed(f"{subject} is not encrypted.", key_owner=KeyOwner.UNENCRYPTED)
    key = record.key_arn
    if not key:
        # RDS encrypts only with KMS keys: no key named means we could not see it, not an AWS-owned key.
        return passed(f"{subject} is encrypted; AWS did not name its KMS key.", key_owner=KeyOwner.UNKNOWN)
    owner = inventory.key_owner(key, record.region)
    return passed(f"{subject} is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "rds.instance_storage_encrypted",
    title="RDS DB instance storage is encrypted",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="rds.db_instance",
    needs=("rds:DescribeDBInstances",),
    rationale=f"{GUIDANCE} An unencrypted DB instance leaves its storage, automated backups, read replicas and "
    "snapshots readable without any KMS permission; encryption can only be chosen when the instance is created.",
    remediation="RDS cannot encrypt an existing instance in place. Console: RDS › Snapshots › take a snapshot › "
    "Copy snapshot with encryption and a customer-managed key › Restore snapshot, then point clients at the new "
    "instance. CLI: aws rds create-db-snapshot --db-instance-identifier DB --db-snapshot-identifier SNAP && "
    "aws rds copy-db-snapshot --source-db-snapshot-identifier SNAP --target-db-snapshot-identifier SNAP-enc "
    "--kms-key-id KEY_ARN && aws rds restore-db-instance-from-db-snapshot --db-instance-identifier DB-enc "
    "--db-snapshot-identifier SNAP-enc",
)
def instance_storage_encrypted(instance, inventory):
    return encryption_verdict(instance, inventory)


@check(
    "rds.cluster_storage_encrypted",
    title="RDS DB cluster storage is encrypted (Aurora, DocumentDB, Neptune, Multi-AZ DB clusters)",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="rds.db_cluster",
    needs=("rds:DescribeDBClusters",),
    rationale=f"{GUIDANCE} A cluster's storage volume holds every instance's data, its backups and its snapshots; "
    "unencrypted, none of it needs a KMS permission to read, and encryption can only be chosen at creation.",
    remediation="A cluster cannot be encrypted in place. Console: RDS › Databases › the cluster › Actions › "
    "Take snapshot; Snapshots › Copy snapshot with encryption and a customer-managed key › Restore snapshot; move "
    "clients to the new cluster. CLI: aws rds create-db-cluster-snapshot --db-cluster-identifier CLUSTER "
    "--db-cluster-snapshot-identifier SNAP && aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier "
    "SNAP --target-db-cluster-snapshot-identifier SNAP-enc --kms-key-id KEY_ARN && aws rds "
    "restore-db-cluster-from-snapshot --db-cluster-identifier CLUSTER-enc --snapshot-identifier SNAP-enc "
    "--engine ENGINE",
)
def cluster_storage_encrypted(cluster, inventory):
    return encryption_verdict(cluster, inventory)


@check(
    "rds.snapshot_encrypted",
    title="Manual RDS DB and DB cluster snapshots are encrypted",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type=SNAPSHOT_TYPES,
    needs=("rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots"),
    rationale=f"{GUIDANCE} A manual snapshot is a full copy of the database that outlives the instance or cluster "
    "it came from and can be copied or shared; unencrypted, restoring it needs no KMS permission.",
    remediation="Copy the snapshot with encryption, then delete the unencrypted one. Console: RDS › Snapshots › the "
    "snapshot › Actions › Copy snapshot › Enable encryption with a customer-managed key. CLI: aws rds "
    "copy-db-snapshot --source-db-snapshot-identifier SNAP --target-db-snapshot-identifier SNAP-enc --kms-key-id "
    "KEY_ARN && aws rds delete-db-snapshot --db-snapshot-identifier SNAP (cluster snapshots: aws rds "
    "copy-db-cluster-snapshot … --kms-key-id KEY_ARN)",
)
def snapshot_encrypted(snapshot, inventory):
    return encryption_verdict(snapshot, inventory)


@check(
    "rds.snapshot_not_public",
    title="No RDS DB or DB cluster snapshot is restorable by everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type=SNAPSHOT_TYPES,
    needs=(
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribeDBClusterSnapshots",
        "rds:DescribeDBClusterSnapshotAttributes",
    ),
    rationale=f'{GUIDANCE_ACCESS} A snapshot whose restore attribute holds "all" is public: any AWS account can '
    "copy it and restore the whole database. Sharing with named accounts is not public.",
    remediation="Console: RDS › Snapshots › the snapshot › Actions › Share snapshot › DB snapshot visibility: "
    "Private. CLI: aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP --attribute-name restore "
    "--values-to-remove all (cluster snapshots: aws rds modify-db-cluster-snapshot-attribute "
    "--db-cluster-snapshot-identifier SNAP --attribute-name restore --values-to-remove all)",
)
def snapshot_not_public(snapshot, inventory):
    accounts = snapshot.evidence.get(RESTORE_ATTRIBUTE)
    if accounts is None:
        return errored("The restore attribute of this snapshot was not collected.")
    if shared_with_everyone(accounts):
        return failed("Snapshot is restorable by all: any AWS account can copy it and restore the database.")
    if accounts:
        return passed(f"Snapshot is shared with {len(accounts)} named account(s), not with all.")
    return passed("Snapshot is not shared with any other account.")


@check(
    "rds.instance_not_publicly_accessible",
    title="RDS DB instances are not publicly accessible",
    area=Area.ACCESS,
    severity=Severity.HIGH,
    resource_type="rds.db_instance",
    needs=("rds:DescribeDBInstances",),
    rationale=f"{GUIDANCE_ACCESS} A publicly accessible DB instance has an endpoint that resolves to a public IP "
    "address: one security-group rule or network ACL change away from the whole internet. The flag is judged, "
    "not today's security groups.",
    remediation="Console: RDS › Databases › the instance › Modify › Connectivity › Additional configuration › "
    "Public access: Not publicly accessible. CLI: aws rds modify-db-instance --db-instance-identifier DB "
    "--no-publicly-accessible --apply-immediately",
)
def instance_not_publicly_accessible(instance, inventory):
    public = instance.evidence.get("publicly_accessible")
    if public is None:
        return errored("The PubliclyAccessible flag of this DB instance was not collected.")
    if public:
        return failed("DB instance is publicly accessible: its endpoint resolves to a public IP address.")
    return passed("DB instance is not publicly accessible: its endpoint resolves to private IP addresses only.")


# --- TLS-only connections, from the parameter group that governs the instance ----------------------------------


@dataclass(frozen=True)
class TlsRule:
    """The parameter that makes an engine refuse plain connections, and its values that do."""

    parameter: str
    refusing: frozenset
    # (major, minor, …) from which the engine's default (the parameter left unset) already refuses them; None: never.
    default_on_from: tuple | None = None


FORCE_SSL = TlsRule("rds.force_ssl", frozenset({"1"}))
SECURE_TRANSPORT = TlsRule("require_secure_transport", frozenset({"1", "on"}))
# By engine family (sqlserver-ee → sqlserver). Aurora, DocumentDB, Neptune and Multi-AZ DB cluster members read
# the setting from their cluster's parameter group (the collector points the instance at the right group).
TLS_RULES = {
    # RDS for PostgreSQL 15 and later default rds.force_ssl to 1.
    "postgres": TlsRule("rds.force_ssl", frozenset({"1"}), default_on_from=(15,)),
    "aurora-postgresql": FORCE_SSL,
    "sqlserver": FORCE_SSL,
    "mysql": SECURE_TRANSPORT,
    "mariadb": SECURE_TRANSPORT,
    "aurora-mysql": SECURE_TRANSPORT,
    "aurora": SECURE_TRANSPORT,  # Aurora MySQL 1 (MySQL 5.6)
    # DocumentDB: tls=disabled accepts plain connections; every other value requires TLS. Default enabled.
    "docdb": TlsRule("tls", frozenset({"enabled", "fips-140-3", "tls1.2+", "tls1.3+"}), default_on_from=(0,)),
    # Neptune before engine 1.0.4.0 (later versions accept HTTPS only, whatever the group says).
    "neptune": TlsRule("neptune_enforce_ssl", frozenset({"1"}), default_on_from=(0,)),
}
TLS_PARAMETERS = frozenset(rule.parameter for rule in TLS_RULES.values())  # what the collector keeps
NEPTUNE_HTTPS_ONLY_FROM = (1, 0, 4, 0)
TLS_GROUP_APIS = (
    "rds:DescribeDBClusters",
    "rds:DescribeDBParameterGroups",
    "rds:DescribeDBParameters",
    "rds:DescribeDBClusterParameterGroups",
    "rds:DescribeDBClusterParameters",
)
NOT_JUDGED = {
    "oracle": "Oracle on RDS takes TLS through the SSL option of an option group (on its own port), not a parameter; "
    "this check reads parameter groups only.",
    "db2": "RDS for Db2 takes TLS on a separate SSL port configured in its parameter group; no parameter refuses "
    "plain connections on the other port, so this check does not judge it.",
    "custom": "RDS Custom: you manage the database host and its TLS configuration, which no parameter group shows.",
}


def engine_family(engine):
    engine = (engine or "").lower()
    if engine.startswith("custom-"):
        return "custom"
    for family in ("sqlserver", "oracle", "db2"):
        if engine.startswith(f"{family}-"):
            return family
    return engine


def version_tuple(version):
    """ "15.4" → (15, 4); "5.7.mysql_aurora.2.11.2" → (5, 7): the leading numeric parts."""
    parts = []
    for part in str(version or "").split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def group_label(uid):
    kind = "DB cluster parameter group" if ":cluster-pg:" in uid else "DB parameter group"
    return f"{kind} {uid.rsplit(':', 1)[-1]}"


@check(
    "rds.instance_tls_enforced",
    title="RDS DB instances refuse connections without TLS",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="rds.db_instance",
    needs=("rds:DescribeDBInstances", *TLS_GROUP_APIS),
    # An instance outside a cluster needs no cluster listing, Neptune 1.0.4.0+ and Oracle no group at all; a group
    # that was not read makes the instances it governs ERROR here, naming it.
    tolerates=TLS_GROUP_APIS,
    rationale=f"{GUIDANCE_TLS} RDS accepts TLS on every engine but, unless the parameter group says otherwise, also "
    "accepts plain connections: a client that does not ask for TLS sends passwords and data in clear. The setting "
    "is rds.force_ssl=1 (PostgreSQL, SQL Server; default on from RDS for PostgreSQL 15), require_secure_transport=ON "
    "(MySQL, MariaDB), tls not disabled (DocumentDB), neptune_enforce_ssl (Neptune before 1.0.4.0), read from the "
    "cluster parameter group for Aurora, DocumentDB, Neptune and Multi-AZ DB cluster members. Oracle, Db2 and RDS "
    "Custom configure TLS outside parameter groups and are reported not applicable.",
    remediation="Default parameter groups cannot be changed: create a custom group of the same family, set the "
    "parameter, attach it and reboot where the parameter is static. Console: RDS › Parameter groups › Create › Edit "
    "parameters: rds.force_ssl = 1 or require_secure_transport = ON; then Databases › Modify › DB parameter group. "
    "CLI: aws rds modify-db-parameter-group --db-parameter-group-name GROUP --parameters "
    '"ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=pending-reboot" (Aurora: aws rds '
    "modify-db-cluster-parameter-group --db-cluster-parameter-group-name GROUP --parameters "
    '"ParameterName=require_secure_transport,ParameterValue=ON,ApplyMethod=immediate")',
)
def instance_tls_enforced(instance, inventory):
    engine = instance.evidence.get("engine") or ""
    family = engine_family(engine)
    rule = TLS_RULES.get(family)
    if rule is None:
        reason = NOT_JUDGED.get(
            family, f"Posture knows no parameter that refuses plain connections for engine {engine!r}."
        )
        return not_applicable(reason)
    version = version_tuple(instance.evidence.get("engine_version"))
    if family == "neptune" and version >= NEPTUNE_HTTPS_ONLY_FROM:
        return passed(f"Neptune {'.'.join(map(str, version))} accepts HTTPS connections only (since engine 1.0.4.0).")
    uid = instance.evidence.get("tls_parameter_group")
    if not uid:
        return errored("The parameter group that governs this instance's connections could not be determined.")
    group = inventory.get(uid)
    parameters = group.evidence.get("parameters") if group else None
    if parameters is None:
        return errored(f"The parameters of {group_label(uid)} were not read.")
    return tls_verdict(rule, parameters.get(rule.parameter), version, group_label(uid) + pending(instance))


def pending(record):
    """A note for a reason when a DB instance's or cluster's parameter group has changes not yet applied."""
    status = record.evidence.get("parameter_apply_status")
    if status in (None, "in-sync"):
        return ""
    return f" (its changes are {status}, so the running value may differ)"


def tls_verdict(rule, value, version, where):
    name = rule.parameter
    if value is None:
        if rule.default_on_from is not None and version >= rule.default_on_from:
            return passed(f"{name} is not set in {where}; this engine version's default refuses plain connections.")
        return failed(f"{name} is not set in {where}: the engine default accepts plain connections.")
    if value.strip().lower() in rule.refusing:
        return passed(f"{name} is {value} in {where}: connections without TLS are refused.")
    return failed(f"{name} is {value} in {where}: connections without TLS are accepted.")
