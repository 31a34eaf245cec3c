"""EKS collector against the moto server: each cluster's secrets encryption key and Kubernetes version."""

from checks.collectors import eks
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
VPC = {"subnetIds": ["subnet-1", "subnet-2"]}


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, eks.collect(ctx, region)


def create(aws, name, **options):
    role = f"arn:aws:iam::{aws.account_id}:role/eks"
    return aws.client("eks").create_cluster(name=name, roleArn=role, resourcesVpcConfig=VPC, **options)["cluster"]


def test_clusters_record_the_key_of_their_secrets_provider(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    sealed = create(aws, "apps", encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key_arn}}])
    plain = create(aws, "legacy")

    ctx, collected = scan(aws)

    clusters = {record.uid: record for record in collected.records}
    assert set(clusters) == {sealed["arn"], plain["arn"]}
    assert sealed["arn"] == f"arn:aws:eks:us-east-1:{aws.account_id}:cluster/apps"
    assert clusters[sealed["arn"]].key_arn == key_arn
    assert clusters[sealed["arn"]].evidence["secrets_encrypted_with_kms"] is True
    assert clusters[plain["arn"]].key_arn is None
    assert clusters[plain["arn"]].evidence["secrets_encrypted_with_kms"] is False
    assert clusters[plain["arn"]].evidence["kubernetes_version"] == plain["version"]
    assert sorted(call[2] for call in ctx.call_log.calls) == ["DescribeCluster", "DescribeCluster", "ListClusters"]


def test_an_encryption_config_for_other_resources_is_not_secrets_encryption():
    cluster = {"encryptionConfig": [{"resources": ["configmaps"], "provider": {"keyArn": "arn:aws:kms:k"}}]}
    assert eks.secrets_key(cluster) is None


def test_clusters_are_read_across_pages(aws):
    for number in range(3):
        create(aws, f"c{number}")
    aws.session.events.register(
        "provide-client-params.eks.ListClusters", lambda params, **kwargs: params.update(maxResults=2)
    )
    ctx, collected = scan(aws)
    assert sorted(record.name for record in collected.records) == ["c0", "c1", "c2"]
    assert [call[2] for call in ctx.call_log.calls].count("ListClusters") == 2


def test_a_cluster_that_could_not_be_described_is_listed_with_its_error(aws):
    create(aws, "apps")
    deny(aws.session, "eks", "DescribeCluster")
    _ctx, collected = scan(aws)
    [record] = collected.records
    [error] = collected.errors
    assert record.uid == error.resource_uid == f"arn:aws:eks:us-east-1:{aws.account_id}:cluster/apps"
    assert error.api == "eks:DescribeCluster"
    assert record.evidence == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "eks", "ListClusters")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("eks:ListClusters", "eu-west-1", "")
    assert collected.records == []
