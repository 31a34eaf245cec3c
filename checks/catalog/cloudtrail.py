"""CloudTrail: an account-wide trail of API activity whose log files are validated, encrypted and not public."""

from dataclasses import replace

from checks.catalog.base import Area, KeyOwner, Severity, Status, check, errored, failed, not_applicable, passed
from checks.catalog.s3_access import ACCOUNT_BLOCK_API, BUCKET_BLOCK_API, block_verdict, exposure

GUIDANCE = "AWS data-protection guidance: set up API and user activity logging with AWS CloudTrail."
TRAIL_NEEDS = ("cloudtrail:DescribeTrails",)


def trail_label(trail):
    return f"Trail {trail.name!r}"


def logs_everything(trail):
    evidence = trail.evidence
    return bool(
        evidence.get("is_multi_region")
        and evidence.get("is_logging")
        and evidence.get("management_read_events")
        and evidence.get("management_write_events")
    )


def is_unknown(trail):
    """A multi-region trail whose status or selectors could not be read might be the one that logs."""
    evidence = trail.evidence
    return bool(evidence.get("is_multi_region")) and any(
        evidence.get(key) is None for key in ("is_logging", "management_read_events", "management_write_events")
    )


def shortfall(trail):
    evidence = trail.evidence
    if not evidence.get("is_logging"):
        return "is not logging"
    missing = [
        kind
        for kind, key in (("read", "management_read_events"), ("write", "management_write_events"))
        if not evidence.get(key)
    ]
    return f"does not record {' or '.join(missing)} management events"


def listing_gaps(inventory):
    return sorted(
        {
            error.region
            for error in inventory.errors
            if error.service == "cloudtrail"
            and not error.resource_uid
            and error.api in ("cloudtrail:DescribeTrails", "cloudtrail:*")
        }
    )


@check(
    "cloudtrail.multi_region_logging",
    title="A multi-region trail logs read and write management events",
    area=Area.LOGGING,
    severity=Severity.HIGH,
    resource_type="account",
    needs=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"),
    rationale=f"{GUIDANCE} Only a multi-region trail that is logging and records both read and write management "
    "events shows who did what, in every region, including reads of keys, secrets and policies.",
    remediation="Console: CloudTrail › Trails › Create trail (or edit the existing one): apply to all regions, "
    "management events Read and Write, then start logging. CLI: aws cloudtrail create-trail --name NAME "
    "--s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id KEY_ARN && "
    "aws cloudtrail put-event-selectors --trail-name NAME --event-selectors "
    '\'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\' && aws cloudtrail start-logging --name NAME',
)
def multi_region_logging(account, inventory):
    trails = sorted(inventory.by_type("cloudtrail.trail"), key=lambda trail: trail.uid)
    for trail in trails:
        if logs_everything(trail):
            return passed(
                f"{trail_label(trail)} is multi-region, logging, and records read and write management events."
            )
    unknown = [trail for trail in trails if is_unknown(trail)]
    if unknown:
        return errored(
            f"The status or event selectors of multi-region trail {unknown[0].name!r} could "
            "not be read, so whether it logs everything is unknown."
        )
    gaps = listing_gaps(inventory)
    if gaps:
        return errored(f"No trail found logging everything, but trails could not be listed in {', '.join(gaps)}.")
    multi_region = [trail for trail in trails if trail.evidence.get("is_multi_region")]
    if multi_region:
        return failed(
            f"No multi-region trail logs everything: trail {multi_region[0].name!r} {shortfall(multi_region[0])}."
        )
    if trails:
        names = ", ".join(repr(trail.name) for trail in trails)
        return failed(f"No multi-region trail: {names} record only their own region.")
    return failed("The account has no CloudTrail trail.")


@check(
    "cloudtrail.log_file_validation",
    title="Trail validates its log files",
    area=Area.LOGGING,
    severity=Severity.LOW,
    resource_type="cloudtrail.trail",
    needs=TRAIL_NEEDS,
    rationale=f"{GUIDANCE} Log file validation writes signed digest files, so anyone can prove later that a log "
    "file was not changed or deleted after CloudTrail delivered it.",
    remediation="Console: CloudTrail › Trails › the trail › General details › Edit: enable Log file validation. "
    "CLI: aws cloudtrail update-trail --name NAME --enable-log-file-validation",
)
def log_file_validation(trail, inventory):
    if trail.evidence.get("log_file_validation"):
        return passed(f"{trail_label(trail)} validates its log files with signed digests.")
    return failed(f"{trail_label(trail)} does not validate its log files.")


@check(
    "cloudtrail.kms_encrypted",
    title="Trail log files are encrypted with a KMS key",
    area=Area.LOGGING,
    severity=Severity.MEDIUM,
    resource_type="cloudtrail.trail",
    needs=TRAIL_NEEDS,
    rationale=f"{GUIDANCE} AWS encryption solutions: with SSE-KMS, reading the logs also needs kms:Decrypt "
    "on a key you control, so access to the log bucket alone does not expose account activity.",
    remediation="Console: CloudTrail › Trails › the trail › General details › Edit: Log file SSE-KMS encryption "
    "Enabled, choose a customer-managed key whose policy lets CloudTrail encrypt. CLI: aws cloudtrail update-trail "
    "--name NAME --kms-key-id KEY_ARN",
)
def kms_encrypted(trail, inventory):
    if not trail.key_arn:
        return failed(
            f"{trail_label(trail)} log files are encrypted with SSE-S3 only, not a KMS key.",
            key_owner=KeyOwner.AWS_OWNED,
        )
    owner = inventory.key_owner(trail.key_arn, trail.region)
    return passed(f"{trail_label(trail)} log files are encrypted with KMS key {trail.key_arn}.", key_owner=owner)


@check(
    "cloudtrail.bucket_not_public",
    title="Trail's S3 bucket blocks public access",
    area=Area.LOGGING,
    severity=Severity.CRITICAL,
    resource_type="cloudtrail.trail",
    needs=("cloudtrail:DescribeTrails", "s3:ListBuckets", BUCKET_BLOCK_API, ACCOUNT_BLOCK_API),
    tolerates=(BUCKET_BLOCK_API,),
    rationale=f"{GUIDANCE} The trail's bucket holds a record of every API call in the account; all four "
    "S3 Block Public Access settings (on the bucket or the account) keep a policy or ACL mistake from publishing it. "
    "Judged by the rule of s3.bucket_public_access_blocked; a failing bucket's reason also says whether a policy "
    "statement or ACL grant opens it to everyone now (the rule of s3.bucket_not_public).",
    remediation="Console: S3 › the trail's bucket › Permissions › Block public access › Edit: turn on all four "
    "settings (or S3 › Block Public Access settings for this account). CLI: aws s3api put-public-access-block "
    "--bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
    "BlockPublicPolicy=true,RestrictPublicBuckets=true",
)
def bucket_not_public(trail, inventory):
    name = trail.evidence.get("s3_bucket_name")
    bucket = inventory.get(f"arn:aws:s3:::{name}") if name else None
    if bucket is None:
        return not_applicable(
            f"{trail_label(trail)} delivers to bucket {name!r}: bucket not in this account's "
            "inventory (it belongs to another account, such as a central log archive)."
        )
    # The rule of s3.bucket_public_access_blocked, and when it fails, s3.bucket_not_public's word on exposure.
    verdict = block_verdict(bucket, inventory)
    reason = f"{trail_label(trail)} delivers to bucket {name!r}: {verdict.reason}"
    exposed = exposure(bucket, inventory).get("open") if verdict.status == Status.FAIL else None
    if exposed:
        reason = f"{reason} It is open to everyone now: {'; '.join(exposed)}."
    return replace(verdict, reason=reason)
