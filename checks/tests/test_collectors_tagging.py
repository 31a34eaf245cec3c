"""The tagging collector against the moto server: one paginated GetResources per region, whose rows reach the
records other collectors made (and only those), and whose failure is its region's gap."""

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors import cloudfront, dynamodb, kms, sns, sqs, tagging
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import TAG_ROW, TAGGING_API
from checks.tests.collecting import inventory_of
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
IDENTIFIERS = "hygiene.no_sensitive_identifiers"


def context(aws, regions=REGIONS):
    ctx = ScanContext(aws.session, aws.account_id, regions, regions[0])
    ctx.get_resources = []  # (region, parameters) of every GetResources call, in the order made

    def keep(params, context, **kwargs):
        ctx.get_resources.append((context["client_region"], dict(params)))

    aws.session.events.register("before-parameter-build.resource-groups-tagging-api.GetResources", keep)
    return ctx


def get_resources_calls(ctx):
    return sorted(ctx.get_resources, key=lambda call: call[0])


def hygiene(inventory):
    return {(e.record.type, e.record.name): e.result for e in evaluate_check(CATALOG[IDENTIFIERS], inventory)}


def test_tags_reach_the_records_of_other_collectors_by_arn(aws):
    aws.client("sqs").create_queue(QueueName="jobs", tags={"owner": "jane@example.com"})
    aws.client("sqs", "eu-west-1").create_queue(QueueName="plain")
    aws.client("sns", "eu-west-1").create_topic(Name="alerts", Tags=[{"Key": "team", "Value": "ops"}])
    aws.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "billing", "Value": "account 123456789012"}],
    )
    key = aws.client("kms").create_key(Tags=[{"TagKey": "key-owner", "TagValue": "AKIAIOSFODNN7EXAMPLE"}])
    ctx = context(aws)

    inventory = inventory_of(ctx, sqs, sns, dynamodb, kms)

    tags = {record.name: record.tags for record in inventory.records if record.type not in ("account", "region")}
    assert tags == {
        "jobs": {"owner": "jane@example.com"},
        "plain": {},
        "alerts": {"team": "ops"},
        "orders": {"billing": "account 123456789012"},
        key["KeyMetadata"]["KeyId"]: {"key-owner": "AKIAIOSFODNN7EXAMPLE"},
    }
    results = hygiene(inventory)
    assert results[("sqs.queue", "jobs")].reason == "Tag 'owner' holds an e-mail address (j***@example.com)."
    assert results[("dynamodb.table", "orders")].status == Status.FAIL
    assert results[("kms.key", key["KeyMetadata"]["KeyId"])].status == Status.FAIL
    assert results[("sns.topic", "alerts")].status == Status.PASS
    assert inventory.errors == []


def test_one_call_per_region_with_the_largest_page_and_no_call_per_resource(aws):
    for region in REGIONS:
        for index in range(3):
            aws.client("sqs", region).create_queue(QueueName=f"q{index}", tags={"n": str(index)})
    ctx = context(aws)

    inventory_of(ctx, sqs)

    assert get_resources_calls(ctx) == [(region, {"ResourcesPerPage": 100}) for region in sorted(REGIONS)]
    assert {op for (_, _, op, _) in ctx.call_log.calls} == {"ListQueues", "GetQueueAttributes", "GetResources"}
    assert ctx.call_log.repeated() == {}


def test_every_page_is_read(aws):
    sqs_client = aws.client("sqs")
    for index in range(130):
        sqs_client.create_queue(QueueName=f"q{index:03}", tags={"n": str(index)})
    ctx = context(aws, ("us-east-1",))

    collected = tagging.collect(ctx, "us-east-1")

    assert len({row.uid for row in collected.records}) == 130
    assert len(get_resources_calls(ctx)) >= 2
    assert ctx.call_log.repeated() == {}


def test_a_tag_row_without_a_record_makes_no_resource(aws):
    aws.client("sqs").create_queue(QueueName="jobs", tags={"owner": "jane@example.com"})
    ctx = context(aws, ("us-east-1",))

    rows = tagging.collect(ctx, "us-east-1").records
    inventory = inventory_of(ctx, sns)  # no SQS collector: nobody says the queue is there

    assert [(row.type, row.uid.rsplit(":", 1)[-1]) for row in rows] == [(TAG_ROW, "jobs")]
    assert {record.type for record in inventory.records} == {"account", "region"}
    assert hygiene(inventory) == {}


def test_a_failed_call_is_its_regions_gap_and_hygiene_there_is_error(aws):
    deny(aws.session, "resource-groups-tagging-api", "GetResources", region="eu-west-1")
    aws.client("sqs").create_queue(QueueName="east", tags={"owner": "ops"})
    aws.client("sqs", "eu-west-1").create_queue(QueueName="west", tags={"owner": "ops"})
    ctx = context(aws)

    inventory = inventory_of(ctx, sqs)

    [error] = inventory.errors
    assert (error.api, error.region, error.resource_uid, error.code) == (TAGGING_API, "eu-west-1", "", "AccessDenied")
    statuses = {key: result.status for key, result in hygiene(inventory).items()}
    assert statuses == {
        ("sqs.queue", "east"): Status.PASS,
        ("sqs.queue", "west"): Status.ERROR,
        ("region", "eu-west-1"): Status.ERROR,
    }
    [west] = [record for record in inventory.by_type("sqs.queue") if record.region == "eu-west-1"]
    assert west.tags == {}


def test_cloudfront_tags_are_read_in_us_east_1_when_it_is_not_scanned(aws):
    distribution = aws.client("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": {
                "CallerReference": "site",
                "Comment": "",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "origin.example.com"}]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "o",
                    "ViewerProtocolPolicy": "https-only",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                },
            },
            "Tags": {"Items": [{"Key": "contact", "Value": "web@example.com"}]},
        }
    )["Distribution"]
    ctx = context(aws, ("eu-west-1", "eu-central-1"))

    inventory = inventory_of(ctx, cloudfront)

    assert inventory.get(distribution["ARN"]).tags == {"contact": "web@example.com"}
    assert get_resources_calls(ctx) == [
        ("eu-central-1", {"ResourcesPerPage": 100}),
        ("eu-west-1", {"ResourcesPerPage": 100}),
        ("us-east-1", {"ResourceTypeFilters": ["cloudfront:distribution"], "ResourcesPerPage": 100}),
    ]
    assert hygiene(inventory)[("cloudfront.distribution", distribution["Id"])].status == Status.FAIL


def test_the_us_east_1_call_for_cloudfront_failing_is_an_error_on_distributions(aws):
    deny(aws.session, "resource-groups-tagging-api", "GetResources", region="us-east-1")
    ctx = context(aws, ("eu-west-1",))

    collected = tagging.collect(ctx, "eu-west-1")

    [error] = collected.errors
    assert (error.api, error.region) == (TAGGING_API, "us-east-1")
