"""DynamoDB collector against the moto server: the default AWS-owned key versus a KMS key."""

from checks.collectors import dynamodb
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, dynamodb.collect(ctx, region)


def create_table(client, name, **options):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **options,
    )


def tables(collected):
    return {record.name: record for record in collected.records}


def test_default_table_is_aws_owned_and_kms_table_names_its_key(aws):
    client = aws.client("dynamodb")
    create_table(client, "default")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    create_table(client, "kms", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn})
    ctx, collected = scan(aws)
    found = tables(collected)
    assert found["default"].uid == f"arn:aws:dynamodb:us-east-1:{aws.account_id}:table/default"
    assert found["default"].evidence["encrypted"] is True
    assert found["default"].evidence["sse_type"] is None
    assert found["default"].key_arn is None
    assert found["kms"].evidence["encrypted"] is True
    assert found["kms"].evidence["sse_type"] == "KMS"
    assert found["kms"].key_arn == key_arn
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_tables_are_read_across_pages(aws):
    client = aws.client("dynamodb")
    for number in range(5):
        create_table(client, f"table-{number}")
    aws.session.events.register(
        "provide-client-params.dynamodb.ListTables", lambda params, **kwargs: params.update(Limit=2)
    )
    ctx, collected = scan(aws)
    assert sorted(tables(collected)) == [f"table-{number}" for number in range(5)]
    assert len([key for key in ctx.call_log.calls if key[2] == "ListTables"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_describe_is_a_per_table_error_and_the_table_stays_listed(aws):
    deny(aws.session, "dynamodb", "DescribeTable")
    create_table(aws.client("dynamodb"), "orders")
    ctx, collected = scan(aws)
    arn = f"arn:aws:dynamodb:us-east-1:{aws.account_id}:table/orders"
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("dynamodb:DescribeTable", arn)
    [record] = collected.records
    assert record.uid == arn
    assert "encrypted" not in record.evidence
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "dynamodb", "ListTables")
    create_table(aws.client("dynamodb"), "orders")
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.resource_uid) == ("dynamodb:ListTables", "")
    assert collected.records == []
