"""MSK collector: provisioned clusters (moto holds EncryptionInfo given to CreateCluster) and serverless ones
from one ListClustersV2, and botocore's Stubber for AWS's own answer about a cluster created without a key
(moto reports no EncryptionInfo; AWS names the aws/kafka key and the TLS settings)."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.collectors import kafka
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW, make_key
from checks.tests.stubbed import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
BROKERS = {"InstanceType": "kafka.m5.large", "ClientSubnets": ["subnet-0a", "subnet-0b"]}
CMK, TLS = "kafka.cluster_customer_managed_key", "kafka.cluster_in_transit_tls"


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, kafka.collect(ctx, region)


def provisioned(aws, name, key=None, client_broker="TLS", in_cluster=True):
    encryption = {"EncryptionInTransit": {"ClientBroker": client_broker, "InCluster": in_cluster}}
    if key:
        encryption["EncryptionAtRest"] = {"DataVolumeKMSKeyId": key}
    return aws.client("kafka").create_cluster(
        ClusterName=name,
        KafkaVersion="3.6.0",
        NumberOfBrokerNodes=2,
        BrokerNodeGroupInfo=BROKERS,
        EncryptionInfo=encryption,
    )["ClusterArn"]


def test_provisioned_and_serverless_clusters_from_one_listing(aws):
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    own = provisioned(aws, "events", key=key)
    mixed = provisioned(aws, "legacy", client_broker="TLS_PLAINTEXT", in_cluster=False)
    serverless = aws.client("kafka").create_cluster_v2(
        ClusterName="burst",
        Serverless={
            "VpcConfigs": [{"SubnetIds": ["subnet-0a"]}],
            "ClientAuthentication": {"Sasl": {"Iam": {"Enabled": True}}},
        },
    )["ClusterArn"]
    ctx, collected = scan(aws)
    assert collected.errors == []
    clusters = {record.uid: record for record in collected.records}
    assert set(clusters) == {own, mixed, serverless}
    assert clusters[own].type == "kafka.cluster"
    assert clusters[own].name == "events"
    assert clusters[own].key_arn == key
    assert (clusters[own].evidence["client_broker"], clusters[own].evidence["in_cluster"]) == ("TLS", True)
    # No key given: MSK's AWS-managed default.
    assert clusters[mixed].key_arn == "alias/aws/kafka"
    assert (clusters[mixed].evidence["client_broker"], clusters[mixed].evidence["in_cluster"]) == (
        "TLS_PLAINTEXT",
        False,
    )
    assert clusters[serverless].evidence["cluster_type"] == "SERVERLESS"
    assert clusters[serverless].key_arn is None
    assert {call[2] for call in ctx.call_log.calls} == {"ListClustersV2"}

    inventory = Inventory(
        aws.account_id,
        ("us-east-1",),
        NOW,
        [*collected.records, make_key("1234abcd-12ab-34cd-56ef-1234567890ab", account=aws.account_id)],
        [],
    )

    def verdicts(check_id):
        return {
            e.record.name: (e.result.status, e.result.key_owner) for e in evaluate_check(CATALOG[check_id], inventory)
        }

    assert verdicts(CMK) == {
        "events": (Status.PASS, KeyOwner.CUSTOMER_MANAGED),
        "legacy": (Status.FAIL, KeyOwner.AWS_MANAGED),
        "burst": (Status.FAIL, KeyOwner.AWS_OWNED),
    }
    assert {name: status for name, (status, _owner) in verdicts(TLS).items()} == {
        "events": Status.PASS,
        "legacy": Status.FAIL,
        "burst": Status.PASS,
    }


def test_cluster_created_without_encryption_info_as_aws_reports_it():
    aws_kafka_key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    cluster = {
        "ClusterArn": f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/orders/0a1b2c3d-1111-2222-3333-444455556666-2",
        "ClusterName": "orders",
        "ClusterType": "PROVISIONED",
        "State": "ACTIVE",
        "Provisioned": {
            "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": ["subnet-0a"]},
            "NumberOfBrokerNodes": 3,
            "EncryptionInfo": {
                "EncryptionAtRest": {"DataVolumeKMSKeyId": aws_kafka_key},
                "EncryptionInTransit": {"ClientBroker": "TLS", "InCluster": True},
            },
        },
    }
    with stubbed("kafka") as (ctx, stubber):
        stubber.add_response("list_clusters_v2", {"ClusterInfoList": [cluster], "NextToken": "page-2"})
        stubber.add_response("list_clusters_v2", {"ClusterInfoList": []}, {"NextToken": "page-2"})
        collected = kafka.collect(ctx, "us-east-1")
    [record] = collected.records
    assert record.uid == cluster["ClusterArn"]
    assert record.key_arn == aws_kafka_key
    key = make_key(aws_kafka_key.rsplit("/", 1)[1], account=ACCOUNT, aliases=["alias/aws/kafka"])
    inventory = Inventory(ACCOUNT, ("us-east-1",), NOW, [record, key], [])
    [evaluation] = evaluate_check(CATALOG[CMK], inventory)
    assert (evaluation.result.status, evaluation.result.key_owner) == (Status.FAIL, KeyOwner.AWS_MANAGED)
    [evaluation] = evaluate_check(CATALOG[TLS], inventory)
    assert evaluation.result.status == Status.PASS


def test_denied_listing_is_a_gap_and_both_checks_error(aws):
    deny(aws.session, "kafka", "ListClustersV2")
    provisioned(aws, "hidden")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("kafka:ListClustersV2", "AccessDenied", "")
    assert collected.records == []
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, [], collected.errors)
    for check_id in (CMK, TLS):
        [gap] = evaluate_check(CATALOG[check_id], inventory)
        assert gap.result.status == Status.ERROR
