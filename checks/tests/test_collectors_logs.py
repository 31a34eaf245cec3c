"""CloudWatch Logs collector against the moto server: KMS key and retention of log groups."""

from checks.collectors import logs
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, logs.collect(ctx, region)


def test_log_groups_record_key_and_retention(aws):
    client = aws.client("logs")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client.create_log_group(logGroupName="/app/audit", kmsKeyId=key_arn)
    client.put_retention_policy(logGroupName="/app/audit", retentionInDays=400)
    client.create_log_group(logGroupName="/app/debug")
    ctx, collected = scan(aws)
    groups = {record.name: record for record in collected.records}
    audit = groups["/app/audit"]
    assert audit.uid == f"arn:aws:logs:us-east-1:{aws.account_id}:log-group:/app/audit"
    assert audit.type == "logs.log_group"
    assert audit.evidence == {"encrypted": True, "retention_in_days": 400}
    assert audit.key_arn == key_arn
    # No retention policy means the group never expires; no key means CloudWatch Logs' own key.
    assert groups["/app/debug"].evidence == {"encrypted": True, "retention_in_days": None}
    assert groups["/app/debug"].key_arn is None
    assert ctx.call_log.repeated() == {}


def test_uid_drops_the_streams_wildcard_when_only_arn_is_given():
    record = logs.log_group_record("us-east-1", {"logGroupName": "g", "arn": "arn:aws:logs:us-east-1:1:log-group:g:*"})
    assert record.uid == "arn:aws:logs:us-east-1:1:log-group:g"


def test_log_groups_are_read_across_pages(aws):
    client = aws.client("logs", "eu-west-1")
    for number in range(5):
        client.create_log_group(logGroupName=f"group-{number}")
    aws.session.events.register(
        "provide-client-params.cloudwatch-logs.DescribeLogGroups", lambda params, **kwargs: params.update(limit=2)
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(record.name for record in collected.records) == [f"group-{number}" for number in range(5)]
    assert len([key for key in ctx.call_log.calls if key[2] == "DescribeLogGroups"]) == 3
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "cloudwatch-logs", "DescribeLogGroups")
    aws.client("logs").create_log_group(logGroupName="hidden")
    ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("logs:DescribeLogGroups", "AccessDenied", "")
    assert collected.records == []
