"""Redshift collector against the moto server: clusters (encryption, key, public flag) and their parameter groups.

moto keeps one fixed parameter list for every group (require_ssl "false"), has no ModifyClusterParameterGroup
and no HSM encryption: those AWS answers are played through botocore's Stubber.
"""

from botocore.stub import Stubber

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import redshift
from checks.collectors.base import ScanContext
from checks.tests.builders import make_inventory
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, redshift.collect(ctx, region)


def create_cluster(client, name, **options):
    client.create_cluster(
        ClusterIdentifier=name,
        NodeType="dc2.large",
        MasterUsername="admin",
        MasterUserPassword="A-long-passw0rd",
        ClusterType="single-node",
        **options,
    )


def by_type(collected, type_):
    return {record.name: record for record in collected.records if record.type == type_}


def test_clusters_record_encryption_key_public_flag_and_parameter_group(aws):
    client = aws.client("redshift")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client.create_cluster_parameter_group(
        ParameterGroupName="warehouse", ParameterGroupFamily="redshift-1.0", Description="Warehouse settings"
    )
    create_cluster(
        client,
        "analytics",
        Encrypted=True,
        KmsKeyId=key_arn,
        ClusterParameterGroupName="warehouse",
        Tags=[{"Key": "team", "Value": "data"}],
    )
    create_cluster(client, "legacy", PubliclyAccessible=True)
    ctx, collected = scan(aws)
    clusters = by_type(collected, "redshift.cluster")
    analytics, legacy = clusters["analytics"], clusters["legacy"]
    assert analytics.uid == f"arn:aws:redshift:us-east-1:{aws.account_id}:cluster:analytics"
    assert (analytics.evidence["encrypted"], analytics.key_arn) == (True, key_arn)
    assert analytics.evidence["publicly_accessible"] is False
    assert (
        analytics.evidence["parameter_group"] == f"arn:aws:redshift:us-east-1:{aws.account_id}:parametergroup:warehouse"
    )
    assert analytics.evidence["parameter_apply_status"] == "in-sync"
    assert analytics.tags == {"team": "data"}
    assert (legacy.evidence["encrypted"], legacy.key_arn, legacy.evidence["publicly_accessible"]) == (False, None, True)
    groups = by_type(collected, "redshift.parameter_group")
    assert groups["warehouse"].evidence == {
        "family": "redshift-1.0",
        "description": "Warehouse settings",
        "parameters": {"require_ssl": "false"},  # moto's fixed list keeps only the TLS parameter here
    }
    assert groups["default.redshift-1.0"].evidence["parameters"] == {"require_ssl": "false"}
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_each_group_in_use_is_read_once_and_unused_groups_are_not_read(aws):
    client = aws.client("redshift")
    client.create_cluster_parameter_group(
        ParameterGroupName="unused", ParameterGroupFamily="redshift-1.0", Description="Nobody uses it"
    )
    for name in ("one", "two", "three"):
        create_cluster(client, name)
    ctx, collected = scan(aws)
    reads = [call for call in ctx.call_log.calls if call[2] == "DescribeClusterParameters"]
    assert len(reads) == 1  # default.redshift-1.0, for three clusters
    assert "parameters" not in by_type(collected, "redshift.parameter_group")["unused"].evidence


def stubbed_scan(aws, *answers):
    """Collect us-east-1 from a Stubber playing `answers` ((operation, response), in call order)."""
    client = aws.session.client("redshift", region_name="us-east-1")
    stubber = Stubber(client)
    for operation, response in answers:
        stubber.add_response(operation, response)
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    ctx.client = lambda service, region=None, **config: client
    with stubber:
        collected = redshift.collect(ctx, "us-east-1")
    stubber.assert_no_pending_responses()
    return collected


def test_hsm_encryption_and_require_ssl_pending_a_reboot_as_aws_reports_them(aws):
    cluster = {
        "ClusterIdentifier": "vault",
        "Encrypted": True,
        "HsmStatus": {
            "HsmClientCertificateIdentifier": "cert",
            "HsmConfigurationIdentifier": "hsm",
            "Status": "active",
        },
        "PubliclyAccessible": False,
        "ClusterParameterGroups": [{"ParameterGroupName": "tls-only", "ParameterApplyStatus": "pending-reboot"}],
    }
    group = {"ParameterGroupName": "tls-only", "ParameterGroupFamily": "redshift-2.0", "Description": "TLS only"}
    parameters = [
        {"ParameterName": "enable_user_activity_logging", "ParameterValue": "true"},
        {"ParameterName": "require_ssl", "ParameterValue": "true"},
    ]
    collected = stubbed_scan(
        aws,
        ("describe_clusters", {"Clusters": [cluster]}),
        ("describe_cluster_parameter_groups", {"ParameterGroups": [group]}),
        ("describe_cluster_parameters", {"Parameters": parameters}),
    )
    assert collected.errors == []
    records = (
        by_type(collected, "redshift.cluster")["vault"],
        by_type(collected, "redshift.parameter_group")["tls-only"],
    )
    assert records[1].evidence["parameters"] == {"require_ssl": "true"}
    inventory = make_inventory(*records, account_id=aws.account_id)
    encrypted = CATALOG["redshift.cluster_encrypted"].run(records[0], inventory)
    assert (encrypted.status, encrypted.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)
    require_ssl = CATALOG["redshift.cluster_require_ssl"].run(records[0], inventory)
    assert require_ssl.status == Status.PASS
    assert "pending-reboot" in require_ssl.reason


def test_cluster_on_the_aws_owned_default_key_names_no_key(aws):
    create_cluster(aws.client("redshift"), "defaulted", Encrypted=True)
    ctx, collected = scan(aws)
    cluster = by_type(collected, "redshift.cluster")["defaulted"]
    assert (cluster.evidence["encrypted"], cluster.key_arn, cluster.evidence["hsm"]) == (True, None, False)


def test_a_failed_parameter_read_is_an_error_on_that_group_only(aws):
    create_cluster(aws.client("redshift"), "analytics")
    deny(aws.session, "redshift", "DescribeClusterParameters")
    ctx, collected = scan(aws)
    [error] = collected.errors
    group_arn = f"arn:aws:redshift:us-east-1:{aws.account_id}:parametergroup:default.redshift-1.0"
    assert (error.api, error.code, error.resource_uid) == (
        "redshift:DescribeClusterParameters",
        "AccessDenied",
        group_arn,
    )
    assert "parameters" not in by_type(collected, "redshift.parameter_group")["default.redshift-1.0"].evidence
    assert "analytics" in by_type(collected, "redshift.cluster")


def test_no_cluster_no_parameter_group_calls(aws):
    ctx, collected = scan(aws, "eu-west-1")
    assert {call[2] for call in ctx.call_log.calls} == {"DescribeClusters"}
    assert collected.records == []


def test_denied_cluster_listing_is_a_gap(aws):
    deny(aws.session, "redshift", "DescribeClusters")
    ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.code, error.region, error.resource_uid) == (
        "redshift:DescribeClusters",
        "AccessDenied",
        "eu-west-1",
        "",
    )
