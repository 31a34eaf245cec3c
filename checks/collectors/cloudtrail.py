"""Collector for CloudTrail: every trail once, with whether it is logging and which management events it records."""

from checks.collectors.base import Collected
from checks.inventory import Record

SERVICE = "cloudtrail"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeTrails": "cloudtrail:DescribeTrails",
    "GetTrailStatus": "cloudtrail:GetTrailStatus",
    "GetEventSelectors": "cloudtrail:GetEventSelectors",
}
# Advanced selector fields that only pick management events by kind; any other field that *includes*
# (Equals/StartsWith/EndsWith) narrows the selector to some event sources only.
MANAGEMENT_FIELDS = {"eventcategory", "readonly"}
INCLUDING_OPERATORS = ("Equals", "StartsWith", "EndsWith")


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    client = ctx.client(SERVICE, region)
    trails = []
    with collected.capture():
        # Shadow trails included: a member account sees its organization trail only as one, and a
        # multi-region trail homed outside the scanned regions appears only as one.
        trails = client.describe_trails(includeShadowTrails=True)["trailList"]
    for trail in trails:
        if collected_here(trail, region, ctx.regions):
            home = trail["HomeRegion"]
            home_client = client if home == region else ctx.client(SERVICE, home)
            collected.add(trail_record(home_client, trail, collected))
    return collected


def collected_here(trail, region, regions):
    """Collect each trail once: in its home region, or in the first scanned region if home is not scanned."""
    home = trail.get("HomeRegion")
    return home == region or (home not in regions and region == regions[0])


def trail_record(client, trail, collected):
    arn = trail["TrailARN"]
    evidence = {
        "home_region": trail["HomeRegion"],
        "is_multi_region": bool(trail.get("IsMultiRegionTrail")),
        "is_organization_trail": bool(trail.get("IsOrganizationTrail")),
        "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
        "s3_bucket_name": trail.get("S3BucketName"),
        # Trail logs are SSE-S3 encrypted in the bucket at least; KmsKeyId adds SSE-KMS with that key.
        "encrypted": True,
        "kms_encrypted": bool(trail.get("KmsKeyId")),
        "is_logging": None,
        "latest_delivery_error": None,
        "management_read_events": None,
        "management_write_events": None,
        "event_selectors": None,
    }
    with collected.capture(resource_uid=arn, api="cloudtrail:GetTrailStatus"):
        status = client.get_trail_status(Name=arn)
        evidence["is_logging"] = bool(status["IsLogging"])
        evidence["latest_delivery_error"] = status.get("LatestDeliveryError") or None
    with collected.capture(resource_uid=arn, api="cloudtrail:GetEventSelectors"):
        evidence.update(management_events(client.get_event_selectors(TrailName=arn)))
    return Record(
        arn,
        "cloudtrail.trail",
        trail["HomeRegion"],
        trail["Name"],
        evidence=evidence,
        key_arn=trail.get("KmsKeyId") or None,
    )


def management_events(response):
    """Whether the trail's selectors record read and write management events."""
    advanced = response.get("AdvancedEventSelectors") or []
    classic = response.get("EventSelectors") or []
    if advanced:
        read, write = advanced_management(advanced)
        kind = "advanced"
    elif classic:
        read, write = classic_management(classic)
        kind = "classic"
    else:
        # AWS always reports at least the default selector (all management events); only an
        # emulator answers with none, so read that as the default a new trail gets.
        read, write, kind = True, True, "default"
    return {"management_read_events": read, "management_write_events": write, "event_selectors": kind}


def classic_management(selectors):
    # PutEventSelectors defaults: IncludeManagementEvents true, ReadWriteType All.
    logged = [
        selector.get("ReadWriteType", "All") for selector in selectors if selector.get("IncludeManagementEvents", True)
    ]
    return (any(kind in ("All", "ReadOnly") for kind in logged), any(kind in ("All", "WriteOnly") for kind in logged))


def advanced_management(selectors):
    read = write = False
    for selector in selectors:
        fields = selector["FieldSelectors"]
        if not selects_all_management_events(fields):
            continue
        selector_read, selector_write = read_only_split(fields)
        read, write = read or selector_read, write or selector_write
    return read, write


def selects_all_management_events(fields):
    is_management = any(
        field["Field"].lower() == "eventcategory" and "Management" in field.get("Equals", []) for field in fields
    )
    narrowed = any(
        field["Field"].lower() not in MANAGEMENT_FIELDS and any(field.get(operator) for operator in INCLUDING_OPERATORS)
        for field in fields
    )
    return is_management and not narrowed


def read_only_split(fields):
    """(read, write) recorded by one management selector, from its readOnly field (absent: both)."""
    read = write = True
    for field in fields:
        if field["Field"].lower() != "readonly":
            continue
        equals = {value.lower() for value in field.get("Equals", [])}
        not_equals = {value.lower() for value in field.get("NotEquals", [])}
        if equals:
            read, write = read and "true" in equals, write and "false" in equals
        read, write = read and "true" not in not_equals, write and "false" not in not_equals
    return read, write
