"""EFS collector against the moto server: file systems with and without encryption."""

from checks.collectors import efs
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, efs.collect(ctx, region)


def test_file_systems_record_encryption_key_name_and_tags(aws):
    client = aws.client("efs")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    encrypted = client.create_file_system(
        CreationToken="a", Encrypted=True, KmsKeyId=key_arn, Tags=[{"Key": "Name", "Value": "shared-home"}]
    )
    plain = client.create_file_system(CreationToken="b")
    ctx, collected = scan(aws)
    found = {record.uid: record for record in collected.records}
    record = found[encrypted["FileSystemArn"]]
    assert record.type == "efs.file_system"
    assert record.name == "shared-home"
    assert record.evidence["encrypted"] is True
    assert record.key_arn == key_arn
    assert record.tags == {"Name": "shared-home"}
    unencrypted = found[plain["FileSystemArn"]]
    assert unencrypted.evidence["encrypted"] is False
    assert unencrypted.key_arn is None
    assert unencrypted.name == plain["FileSystemId"]
    assert ctx.call_log.repeated() == {}


def test_file_systems_are_read_across_pages(aws):
    client = aws.client("efs")
    created = {client.create_file_system(CreationToken=f"fs-{number}")["FileSystemArn"] for number in range(5)}
    aws.session.events.register(
        "provide-client-params.efs.DescribeFileSystems", lambda params, **kwargs: params.update(MaxItems=2)
    )
    ctx, collected = scan(aws)
    assert {record.uid for record in collected.records} == created
    assert len(ctx.call_log.calls) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "efs", "DescribeFileSystems")
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("efs:DescribeFileSystems", "AccessDenied", "")
    assert collected.records == []
