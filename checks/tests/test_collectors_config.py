from checks.collectors import config
from checks.collectors.base import ScanContext
from checks.inventory import region_uid
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
ROLE = "arn:aws:iam::123456789012:role/config-recorder"


def scan(aws):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, {region: config.collect(ctx, region) for region in REGIONS}


def make_recorder(aws, region, recording=True, **group):
    client = aws.client("config", region)
    client.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": ROLE,
            "recordingGroup": group or {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    if recording:
        client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
        client.start_configuration_recorder(ConfigurationRecorderName="default")


def recorders_in(results, region, account_id):
    [record] = results[region].records
    assert (record.uid, record.type, record.region) == (region_uid(account_id, region), "region", region)
    return record.evidence["config_recorders"]


def test_recording_recorder_and_a_region_without_one(aws):
    aws.client("s3").create_bucket(Bucket="config-bucket")
    make_recorder(aws, "us-east-1")

    ctx, results = scan(aws)

    [recorder] = recorders_in(results, "us-east-1", aws.account_id)
    assert recorder == {
        "name": "default",
        "recording": True,
        "last_status": recorder["last_status"],
        "all_supported": True,
        "include_global_resource_types": True,
        "resource_types_count": 0,
        "excluded_resource_types_count": 0,
    }
    assert recorders_in(results, "eu-west-1", aws.account_id) == []
    assert all(collected.errors == [] for collected in results.values())
    assert ctx.call_log.repeated() == {}


def test_stopped_recorder_of_some_resource_types(aws):
    make_recorder(
        aws,
        "eu-west-1",
        recording=False,
        allSupported=False,
        includeGlobalResourceTypes=False,
        resourceTypes=["AWS::S3::Bucket", "AWS::EC2::Volume"],
    )

    _, results = scan(aws)

    [recorder] = recorders_in(results, "eu-west-1", aws.account_id)
    assert recorder["recording"] is False
    assert recorder["all_supported"] is False
    assert recorder["resource_types_count"] == 2


def test_denied_recorders_is_a_region_gap_without_evidence(aws):
    deny(aws.session, "config", "DescribeConfigurationRecorders")
    make_recorder(aws, "us-east-1", recording=False)

    _, results = scan(aws)

    for region, collected in results.items():
        [error] = collected.errors
        assert (error.api, error.resource_uid, error.region) == ("config:DescribeConfigurationRecorders", "", region)
        assert collected.records == []


def test_denied_status_keeps_the_recorder_with_recording_unknown(aws):
    deny(aws.session, "config", "DescribeConfigurationRecorderStatus")
    make_recorder(aws, "us-east-1", recording=False)

    _, results = scan(aws)

    [error] = results["us-east-1"].errors
    assert (error.api, error.resource_uid) == ("config:DescribeConfigurationRecorderStatus", "")
    [recorder] = recorders_in(results, "us-east-1", aws.account_id)
    assert recorder["recording"] is None


def test_every_call_made_has_its_iam_action_listed(aws):
    make_recorder(aws, "us-east-1", recording=False)

    ctx, _ = scan(aws)

    assert {op for (_, _, op, _) in ctx.call_log.calls} == set(config.IAM_ACTIONS)


def test_a_region_without_a_recorder_is_not_asked_for_statuses_and_still_fails(aws):
    from datetime import UTC, datetime

    from checks.catalog import CATALOG
    from checks.catalog.base import Status
    from checks.evaluation import evaluate_check
    from checks.inventory import Inventory

    make_recorder(aws, "us-east-1", recording=False)

    ctx, results = scan(aws)

    status_calls = [region for (_, region, op, _) in ctx.call_log.calls if op == "DescribeConfigurationRecorderStatus"]
    assert status_calls == ["us-east-1"]
    records = [record for collected in results.values() for record in collected.records]
    inventory = Inventory(aws.account_id, REGIONS, datetime.now(UTC), records, [])
    verdicts = {e.record.region: e.result.status for e in evaluate_check(CATALOG["config.recorder_enabled"], inventory)}
    assert verdicts == {"us-east-1": Status.FAIL, "eu-west-1": Status.FAIL}
