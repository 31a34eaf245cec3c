"""RDS collector against the moto server: instances with and without storage encryption."""

from checks.collectors import rds
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, rds.collect(ctx, region)


def create_instance(client, name, engine="postgres", **options):
    client.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine=engine,
        MasterUsername="admin_user",
        MasterUserPassword="a-long-password-1",
        AllocatedStorage=20,
        **options,
    )


def test_instances_record_storage_encryption_key_engine_and_tags(aws):
    client = aws.client("rds")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    create_instance(
        client, "orders", StorageEncrypted=True, KmsKeyId=key_arn, Tags=[{"Key": "team", "Value": "payments"}]
    )
    create_instance(client, "legacy", engine="mysql")
    ctx, collected = scan(aws)
    found = {record.name: record for record in collected.records}
    assert found["orders"].uid == f"arn:aws:rds:us-east-1:{aws.account_id}:db:orders"
    assert found["orders"].type == "rds.db_instance"
    assert found["orders"].evidence["encrypted"] is True
    assert found["orders"].evidence["engine"] == "postgres"
    assert found["orders"].key_arn == key_arn
    assert found["orders"].tags == {"team": "payments"}
    assert found["legacy"].evidence["encrypted"] is False
    assert found["legacy"].key_arn is None
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "rds", "DescribeDBInstances")
    ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.code, error.region, error.resource_uid) == (
        "rds:DescribeDBInstances",
        "AccessDenied",
        "eu-west-1",
        "",
    )
    assert collected.records == []
