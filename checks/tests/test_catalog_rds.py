"""rds checks: instance, cluster and snapshot encryption with whose key, public snapshots and instances, TLS."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, make_inventory, make_key, make_record, run_check

CHECK = "rds.instance_storage_encrypted"


def instance(encrypted=True, key_arn=None):
    return make_record("rds.db_instance", name="orders", key_arn=key_arn, encrypted=encrypted, engine="postgres")


def test_instance_encrypted_with_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, instance(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_instance_encrypted_with_aws_rds_key_is_aws_managed():
    key = make_key("rds-default", manager="AWS", aliases=["alias/aws/rds"])
    result = run_check(CHECK, instance(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_unencrypted_instance_fails():
    result = run_check(CHECK, instance(encrypted=False))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_encrypted_instance_whose_key_was_not_collected_is_unknown():
    result = run_check(CHECK, instance(key_arn="arn:aws:kms:us-east-1:111111111111:key/gone"))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.UNKNOWN


def test_listing_gap_makes_the_region_an_error():
    gap = CollectionError("rds", "us-east-1", "rds:DescribeDBInstances", "AccessDenied", "denied")
    [evaluation] = evaluate_check(CATALOG[CHECK], make_inventory(errors=[gap]))
    assert evaluation.result.status == Status.ERROR
    assert evaluation.record.type == "region"


# --- rds.cluster_storage_encrypted --------------------------------------------------------------------------------


def cluster(encrypted=True, key_arn=None, engine="aurora-postgresql"):
    return make_record("rds.db_cluster", name="ledger", key_arn=key_arn, encrypted=encrypted, engine=engine)


def test_cluster_encrypted_with_customer_key_passes_as_customer_managed():
    key = make_key("k1")
    result = run_check("rds.cluster_storage_encrypted", cluster(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED
    assert key.uid in result.reason


def test_unencrypted_documentdb_cluster_fails():
    result = run_check("rds.cluster_storage_encrypted", cluster(encrypted=False, engine="docdb"))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_cluster_encrypted_with_another_accounts_key_is_external():
    key_arn = f"arn:aws:kms:us-east-1:{OTHER_ACCOUNT}:key/shared"
    result = run_check("rds.cluster_storage_encrypted", cluster(key_arn=key_arn))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL


def test_cluster_encrypted_with_the_aws_rds_alias_is_aws_managed():
    alias = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/rds"
    result = run_check("rds.cluster_storage_encrypted", cluster(key_arn=alias))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_cluster_whose_encryption_was_not_collected_is_an_error():
    record = make_record("rds.db_cluster", name="ledger")
    assert run_check("rds.cluster_storage_encrypted", record).status == Status.ERROR


# --- rds.snapshot_encrypted / rds.snapshot_not_public ---------------------------------------------------------------


def snapshot(type_="rds.db_snapshot", encrypted=False, key_arn=None, restore=()):
    restore = None if restore is None else list(restore)
    return make_record(type_, name="nightly", key_arn=key_arn, encrypted=encrypted, restore_accounts=restore)


def test_unencrypted_db_snapshot_fails():
    result = run_check("rds.snapshot_encrypted", snapshot())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)
    assert result.reason == "DB snapshot is not encrypted."


def test_encrypted_cluster_snapshot_reports_its_key_owner():
    key = make_key("k1", manager="AWS", aliases=["alias/aws/rds"])
    record = snapshot("rds.db_cluster_snapshot", encrypted=True, key_arn=key.uid)
    result = run_check("rds.snapshot_encrypted", record, key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)
    assert result.reason.startswith("DB cluster snapshot is encrypted with KMS key")


def test_encrypted_snapshot_naming_no_key_is_unknown_not_aws_owned():
    result = run_check("rds.snapshot_encrypted", snapshot(encrypted=True))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.UNKNOWN)


def test_snapshot_restorable_by_all_is_public():
    result = run_check("rds.snapshot_not_public", snapshot(restore=["all"]))
    assert result.status == Status.FAIL
    assert "restorable by all" in result.reason


def test_cluster_snapshot_restorable_by_all_among_accounts_is_public():
    record = snapshot("rds.db_cluster_snapshot", restore=[OTHER_ACCOUNT, "all"])
    assert run_check("rds.snapshot_not_public", record).status == Status.FAIL


def test_snapshot_shared_with_one_named_account_is_not_public():
    result = run_check("rds.snapshot_not_public", snapshot(restore=[OTHER_ACCOUNT]))
    assert result.status == Status.PASS
    assert "1 named account" in result.reason


def test_snapshot_shared_with_nobody_passes():
    assert run_check("rds.snapshot_not_public", snapshot(restore=[])).status == Status.PASS


def test_snapshot_whose_restore_attribute_was_not_read_is_an_error():
    assert run_check("rds.snapshot_not_public", snapshot(restore=None)).status == Status.ERROR


def test_attribute_error_on_one_snapshot_makes_only_that_snapshot_an_error():
    broken, fine = snapshot(restore=None), make_record("rds.db_snapshot", name="other", restore_accounts=[])
    error = CollectionError(
        "rds", "us-east-1", "rds:DescribeDBSnapshotAttributes", "AccessDenied", "denied", resource_uid=broken.uid
    )
    found = {
        e.record.uid: e.result.status
        for e in evaluate_check(CATALOG["rds.snapshot_not_public"], make_inventory(broken, fine, errors=[error]))
    }
    assert found == {broken.uid: Status.ERROR, fine.uid: Status.PASS}


# --- rds.instance_not_publicly_accessible --------------------------------------------------------------------------


def test_publicly_accessible_instance_fails():
    record = make_record("rds.db_instance", name="orders", publicly_accessible=True)
    assert run_check("rds.instance_not_publicly_accessible", record).status == Status.FAIL


def test_private_instance_passes():
    record = make_record("rds.db_instance", name="orders", publicly_accessible=False)
    assert run_check("rds.instance_not_publicly_accessible", record).status == Status.PASS


def test_instance_without_the_flag_collected_is_an_error():
    record = make_record("rds.db_instance", name="orders")
    assert run_check("rds.instance_not_publicly_accessible", record).status == Status.ERROR


# --- rds.instance_tls_enforced -----------------------------------------------------------------------------------

TLS = "rds.instance_tls_enforced"
DB_GROUP = f"arn:aws:rds:us-east-1:{ACCOUNT}:pg:app"
CLUSTER_GROUP = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-pg:app-cluster"


def group(uid=DB_GROUP, parameters=None, read=True):
    type_ = "rds.db_cluster_parameter_group" if ":cluster-pg:" in uid else "rds.db_parameter_group"
    evidence = {"parameters": parameters or {}} if read else {}
    return make_record(type_, uid=uid, name=uid.rsplit(":", 1)[-1], description="", **evidence)


def tls_instance(engine, version="", group_uid=DB_GROUP, status="in-sync"):
    return make_record(
        "rds.db_instance",
        name="db",
        engine=engine,
        engine_version=version,
        tls_parameter_group=group_uid,
        parameter_apply_status=status,
    )


def tls(engine, parameters=None, version="", group_uid=DB_GROUP, **options):
    return run_check(TLS, tls_instance(engine, version, group_uid, **options), group(group_uid, parameters))


def test_postgres_with_force_ssl_on_passes():
    result = tls("postgres", {"rds.force_ssl": "1"}, "14.9")
    assert result.status == Status.PASS
    assert "rds.force_ssl is 1 in DB parameter group app" in result.reason


def test_postgres_with_force_ssl_off_fails():
    assert tls("postgres", {"rds.force_ssl": "0"}, "16.2").status == Status.FAIL


def test_postgres_15_and_later_default_refuses_plain_connections():
    # RDS for PostgreSQL 15+ defaults rds.force_ssl to 1; a group that leaves it unset inherits that.
    assert tls("postgres", {}, "15.4").status == Status.PASS
    assert tls("postgres", {}, "14.10").status == Status.FAIL


def test_sql_server_reads_force_ssl():
    assert tls("sqlserver-se", {"rds.force_ssl": "1"}, "15.00").status == Status.PASS
    assert tls("sqlserver-ex", {}, "16.00").status == Status.FAIL


def test_mysql_and_mariadb_read_require_secure_transport_in_either_spelling():
    assert tls("mysql", {"require_secure_transport": "ON"}, "8.0.35").status == Status.PASS
    assert tls("mariadb", {"require_secure_transport": "1"}, "10.11").status == Status.PASS
    assert tls("mysql", {"require_secure_transport": "OFF"}, "8.0.35").status == Status.FAIL
    assert tls("mysql", {}, "8.0.35").status == Status.FAIL


def test_aurora_mysql_member_reads_its_cluster_parameter_group():
    result = tls("aurora-mysql", {"require_secure_transport": "ON"}, "8.0.mysql_aurora.3.05.2", CLUSTER_GROUP)
    assert result.status == Status.PASS
    assert "DB cluster parameter group app-cluster" in result.reason


def test_aurora_postgresql_without_force_ssl_fails():
    assert tls("aurora-postgresql", {"rds.force_ssl": "0"}, "15.4", CLUSTER_GROUP).status == Status.FAIL


def test_documentdb_tls_disabled_fails_and_every_other_mode_passes():
    assert tls("docdb", {"tls": "disabled"}, "5.0.0", CLUSTER_GROUP).status == Status.FAIL
    for mode in ("enabled", "fips-140-3", "tls1.2+", "tls1.3+"):
        assert tls("docdb", {"tls": mode}, "5.0.0", CLUSTER_GROUP).status == Status.PASS
    assert tls("docdb", {}, "5.0.0", CLUSTER_GROUP).status == Status.PASS  # the default is enabled


def test_neptune_from_1_0_4_0_accepts_https_only_whatever_the_group_says():
    assert tls("neptune", {"neptune_enforce_ssl": "0"}, "1.3.2.1", CLUSTER_GROUP).status == Status.PASS
    assert tls("neptune", {"neptune_enforce_ssl": "0"}, "1.0.3.0", CLUSTER_GROUP).status == Status.FAIL


def test_engines_that_take_tls_outside_parameter_groups_are_not_applicable():
    for engine in ("oracle-ee", "db2-se", "custom-sqlserver-ee", "somethingnew"):
        record = tls_instance(engine, "1.0")
        assert run_check(TLS, record, group()).status == Status.NOT_APPLICABLE, engine


def test_pending_reboot_is_said_in_the_reason():
    result = tls("sqlserver-ee", {"rds.force_ssl": "1"}, "15.00", status="pending-reboot")
    assert result.status == Status.PASS
    assert "pending-reboot" in result.reason


def test_group_whose_parameters_were_not_read_is_an_error():
    record = tls_instance("postgres", "16.1")
    result = run_check(TLS, record, group(read=False))
    assert result.status == Status.ERROR
    assert "DB parameter group app" in result.reason


def test_group_missing_from_the_inventory_is_an_error():
    assert run_check(TLS, tls_instance("mysql", "8.0.35")).status == Status.ERROR


def test_instance_with_no_governing_group_is_an_error():
    record = make_record("rds.db_instance", name="db", engine="postgres", engine_version="16.1")
    assert run_check(TLS, record).status == Status.ERROR
