"""Athena collector against the moto server: each workgroup's results encryption and whether it is enforced."""

from checks.collectors import athena
from checks.collectors.base import ScanContext
from checks.tests.stubs import stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, athena.collect(ctx, region)


def results(option, key=None):
    encryption = {"EncryptionOption": option, **({"KmsKey": key} if key else {})}
    return {"OutputLocation": "s3://query-results/athena/", "EncryptionConfiguration": encryption}


def test_workgroups_record_results_encryption_and_enforcement(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client = aws.client("athena")
    client.create_work_group(
        Name="analysts",
        Description="Finance analysts",
        Configuration={"ResultConfiguration": results("SSE_KMS", key_arn), "EnforceWorkGroupConfiguration": True},
    )
    client.create_work_group(
        Name="adhoc",
        Configuration={
            "ResultConfiguration": results("SSE_S3"),
            "EnforceWorkGroupConfiguration": False,
            "EnableMinimumEncryptionConfiguration": True,
        },
    )
    client.create_work_group(Name="managed", Configuration={"ManagedQueryResultsConfiguration": {"Enabled": True}})

    ctx, collected = scan(aws)

    groups = {record.name: record for record in collected.records}
    prefix = f"arn:aws:athena:us-east-1:{aws.account_id}:workgroup/"
    assert {record.uid for record in collected.records} == {prefix + name for name in groups}
    # Every region has the "primary" workgroup; moto's has no results encryption.
    assert groups["primary"].evidence["encrypted"] is False
    analysts = groups["analysts"]
    assert analysts.key_arn == key_arn
    assert analysts.evidence == {
        "description": "Finance analysts",
        "encrypted": True,
        "results_encryption": "SSE_KMS",
        "enforce_workgroup_configuration": True,
        "minimum_encryption_enforced": False,
        "state": "ENABLED",
    }
    assert (groups["adhoc"].key_arn, groups["adhoc"].evidence["minimum_encryption_enforced"]) == (None, True)
    assert groups["managed"].evidence["results_encryption"] == "MANAGED"
    assert groups["managed"].evidence["encrypted"] is True
    assert sorted(call[2] for call in ctx.call_log.calls) == ["GetWorkGroup"] * 4 + ["ListWorkGroups"]


def test_a_workgroup_whose_configuration_was_refused_is_listed_with_its_error(aws):
    deny(aws.session, "athena", "GetWorkGroup")
    _ctx, collected = scan(aws)
    [record] = collected.records
    [error] = collected.errors
    assert record.uid == error.resource_uid == f"arn:aws:athena:us-east-1:{aws.account_id}:workgroup/primary"
    assert "encrypted" not in record.evidence


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "athena", "ListWorkGroups")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("athena:ListWorkGroups", "eu-west-1", "")
    assert collected.records == []


def test_workgroups_are_read_across_pages():
    """ListWorkGroups has no boto3 paginator and moto ignores MaxResults: the Stubber serves the NextToken pages."""
    with stubbed("athena") as (ctx, stubber):
        stubber.add_response("list_work_groups", {"WorkGroups": [{"Name": "primary"}], "NextToken": "2"}, {})
        stubber.add_response("list_work_groups", {"WorkGroups": [{"Name": "etl"}]}, {"NextToken": "2"})
        for name in ("primary", "etl"):
            stubber.add_response(
                "get_work_group", {"WorkGroup": {"Name": name, "Configuration": {}}}, {"WorkGroup": name}
            )
        collected = athena.collect(ctx, "us-east-1")
    assert [record.name for record in collected.records] == ["primary", "etl"]
    assert ctx.call_log.repeated() == {}
