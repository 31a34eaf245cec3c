"""AWS Config: every scanned region records its resources' configuration history."""

from checks.catalog.base import Area, Severity, check, errored, failed, passed

RECORDERS_KEY = "config_recorders"


def scope_phrase(recorder):
    if recorder.get("all_supported"):
        return "all supported resource types"
    return f"{recorder.get('resource_types_count') or 0} selected resource types"


@check(
    "config.recorder_enabled",
    title="AWS Config records resource configuration in the region",
    area=Area.LOGGING,
    severity=Severity.MEDIUM,
    resource_type="region",
    needs=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"),
    rationale="AWS data-protection guidance: set up API and user activity logging. AWS Config keeps the "
    "configuration history of each resource (encryption settings, bucket policies, key policies), so a "
    "change that weakened data protection can be dated and attributed next to CloudTrail's record.",
    remediation="Console: AWS Config (in the region) › Settings › Edit: record all resource types, choose a "
    "delivery bucket, then Start recording. CLI: aws configservice put-configuration-recorder "
    "--configuration-recorder name=default,roleARN=ROLE_ARN --recording-group allSupported=true && "
    "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=BUCKET && "
    "aws configservice start-configuration-recorder --configuration-recorder-name default",
)
def recorder_enabled(region, inventory):
    recorders = region.evidence.get(RECORDERS_KEY)
    if recorders is None:
        return errored(f"AWS Config recorders were not collected in {region.region}.")
    if not recorders:
        return failed(f"No AWS Config recorder exists in {region.region}.")
    recording = [recorder for recorder in recorders if recorder.get("recording")]
    if recording:
        recorder = recording[0]
        return passed(f"Recorder {recorder['name']!r} is recording {scope_phrase(recorder)} in {region.region}.")
    if any(recorder.get("recording") is None for recorder in recorders):
        return errored(f"The status of the AWS Config recorder in {region.region} could not be read.")
    return failed(f"Recorder {recorders[0]['name']!r} exists in {region.region} but is not recording.")
