import pytest

from checks.collectors import cloudtrail
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def make_trail(aws, name, region="us-east-1", logging=True, **options):
    aws.client("s3", "us-east-1").create_bucket(Bucket=f"{name}-logs")
    client = aws.client("cloudtrail", region)
    arn = client.create_trail(Name=name, S3BucketName=f"{name}-logs", **options)["TrailARN"]
    if logging:
        client.start_logging(Name=arn)
    return client, arn


def scan(aws, regions=REGIONS):
    ctx = ScanContext(aws.session, aws.account_id, regions, "us-east-1")
    return ctx, {region: cloudtrail.collect(ctx, region) for region in regions}


def trails_of(results):
    return {record.name: record for collected in results.values() for record in collected.records}


def test_multi_region_trail_is_collected_once_in_its_home_region_with_its_settings(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    client, arn = make_trail(aws, "org-audit", IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key_arn)
    client.put_event_selectors(
        TrailName=arn, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    )

    ctx, results = scan(aws)

    assert [record.uid for record in results["us-east-1"].records] == [arn]
    assert results["eu-west-1"].records == []
    trail = trails_of(results)["org-audit"]
    assert trail.type == "cloudtrail.trail"
    assert trail.region == "us-east-1"
    assert trail.key_arn == key_arn
    assert trail.evidence == {
        "home_region": "us-east-1",
        "is_multi_region": True,
        "is_organization_trail": False,
        "log_file_validation": True,
        "s3_bucket_name": "org-audit-logs",
        "encrypted": True,
        "kms_encrypted": True,
        "is_logging": True,
        "latest_delivery_error": None,
        "management_read_events": True,
        "management_write_events": True,
        "event_selectors": "classic",
    }
    assert all(collected.errors == [] for collected in results.values())
    assert ctx.call_log.repeated() == {}


def test_single_region_trail_belongs_to_its_region_and_stopped_trail_is_not_logging(aws):
    make_trail(aws, "eu-only", "eu-west-1", logging=False)

    _, results = scan(aws)

    assert results["us-east-1"].records == []
    [trail] = results["eu-west-1"].records
    assert trail.region == "eu-west-1"
    assert trail.evidence["is_multi_region"] is False
    assert trail.evidence["is_logging"] is False
    assert trail.key_arn is None
    assert trail.evidence["kms_encrypted"] is False


def test_multi_region_trail_homed_outside_the_scanned_regions_is_collected_once(aws):
    _, arn = make_trail(aws, "west-home", "us-west-2", IsMultiRegionTrail=True)

    ctx, results = scan(aws)

    assert [record.uid for record in results["us-east-1"].records] == [arn]
    assert results["eu-west-1"].records == []
    assert trails_of(results)["west-home"].evidence["is_logging"] is True
    assert ctx.call_log.repeated() == {}


def test_write_only_advanced_selectors_do_not_record_reads(aws):
    client, arn = make_trail(aws, "writes-only", IsMultiRegionTrail=True)
    client.put_event_selectors(
        TrailName=arn,
        AdvancedEventSelectors=[
            {
                "Name": "management writes",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Management"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                ],
            }
        ],
    )

    _, results = scan(aws)

    evidence = trails_of(results)["writes-only"].evidence
    assert evidence["event_selectors"] == "advanced"
    assert (evidence["management_read_events"], evidence["management_write_events"]) == (False, True)


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ([{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}], (True, False)),
        ([{"ReadWriteType": "All", "IncludeManagementEvents": False}], (False, False)),
        ([{"ReadWriteType": "ReadOnly"}, {"ReadWriteType": "WriteOnly"}], (True, True)),
    ],
)
def test_classic_selectors(selectors, expected):
    evidence = cloudtrail.management_events({"EventSelectors": selectors})
    assert (evidence["management_read_events"], evidence["management_write_events"]) == expected


def management(*fields):
    return {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}, *fields]}


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ([management()], (True, True)),
        ([management({"Field": "readOnly", "Equals": ["true"]})], (True, False)),
        ([management({"Field": "readOnly", "NotEquals": ["true"]})], (False, True)),
        (
            [
                management({"Field": "readOnly", "Equals": ["true"]}),
                management({"Field": "readOnly", "Equals": ["false"]}),
            ],
            (True, True),
        ),
        # Excluding KMS events still records management events; including one source only does not.
        ([management({"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]})], (True, True)),
        ([management({"Field": "eventSource", "Equals": ["s3.amazonaws.com"]})], (False, False)),
        (
            [
                {
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Data"]},
                        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    ]
                }
            ],
            (False, False),
        ),
    ],
)
def test_advanced_selectors(selectors, expected):
    evidence = cloudtrail.management_events({"AdvancedEventSelectors": selectors})
    assert (evidence["management_read_events"], evidence["management_write_events"]) == expected


def test_denied_trail_status_is_an_error_on_that_trail(aws):
    deny(aws.session, "cloudtrail", "GetTrailStatus")
    _, arn = make_trail(aws, "guarded", logging=False, IsMultiRegionTrail=True, EnableLogFileValidation=True)

    _, results = scan(aws)

    [error] = results["us-east-1"].errors
    assert (error.api, error.code, error.resource_uid) == ("cloudtrail:GetTrailStatus", "AccessDenied", arn)
    trail = trails_of(results)["guarded"]
    assert trail.evidence["is_logging"] is None
    assert trail.evidence["log_file_validation"] is True
    assert trail.evidence["management_write_events"] is True


def test_denied_describe_trails_is_a_gap_in_each_region(aws):
    deny(aws.session, "cloudtrail", "DescribeTrails")
    make_trail(aws, "hidden", IsMultiRegionTrail=True)

    _, results = scan(aws)

    for region, collected in results.items():
        [error] = collected.errors
        assert (error.api, error.resource_uid, error.region) == ("cloudtrail:DescribeTrails", "", region)
        assert collected.records == []


def test_every_call_made_has_its_iam_action_listed(aws):
    make_trail(aws, "audited", IsMultiRegionTrail=True)

    ctx, _ = scan(aws)

    assert {op for (_, _, op, _) in ctx.call_log.calls} == set(cloudtrail.IAM_ACTIONS)


def test_collected_trail_and_bucket_meet_in_the_checks(aws):
    # The contract between collectors and checks: cloudtrail.* checks read s3 and kms evidence.
    from datetime import UTC, datetime

    from checks.catalog import CATALOG
    from checks.catalog.base import Status
    from checks.collectors import s3
    from checks.evaluation import evaluate_check
    from checks.inventory import Inventory

    _, arn = make_trail(aws, "main", IsMultiRegionTrail=True)
    aws.client("s3").put_public_access_block(
        Bucket="main-logs",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    ctx, results = scan(aws)
    buckets = s3.collect(ctx, "global")
    inventory = Inventory(
        aws.account_id,
        REGIONS,
        datetime.now(UTC),
        records=[r for c in (*results.values(), buckets) for r in c.records],
        errors=[e for c in (*results.values(), buckets) for e in c.errors],
    )

    def verdicts(check_id):
        return {e.record.uid: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}

    assert verdicts("cloudtrail.bucket_not_public") == {arn: Status.PASS}
    assert verdicts("cloudtrail.multi_region_logging") == {f"arn:aws:iam::{aws.account_id}:root": Status.PASS}
    assert verdicts("cloudtrail.kms_encrypted") == {arn: Status.FAIL}
    assert ctx.call_log.repeated() == {}
