"""Collector for AWS Config: the region's configuration recorders and whether they are recording."""

from checks.collectors.base import Collected
from checks.inventory import Record, region_uid

SERVICE = "config"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeConfigurationRecorders": "config:DescribeConfigurationRecorders",
    "DescribeConfigurationRecorderStatus": "config:DescribeConfigurationRecorderStatus",
}
RECORDERS_KEY = "config_recorders"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    client = ctx.client(SERVICE, region)
    # Neither call has a paginator: a region holds at most one customer-managed recorder.
    with collected.capture():
        recorders = client.describe_configuration_recorders()["ConfigurationRecorders"]
        statuses = {}
        # No recorder, nothing to have a status: the second call is made only where a recorder exists.
        with collected.capture():
            statuses = recorder_statuses(client) if recorders else {}
        evidence = {
            RECORDERS_KEY: [recorder_evidence(recorder, statuses.get(recorder["name"])) for recorder in recorders]
        }
        collected.add(Record(region_uid(ctx.account_id, region), "region", region, region, evidence=evidence))
    return collected


def recorder_statuses(client):
    statuses = client.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    return {status["name"]: status for status in statuses}


def recorder_evidence(recorder, status):
    group = recorder.get("recordingGroup") or {}
    return {
        "name": recorder["name"],
        # None when the status could not be read (that gap is recorded for the region).
        "recording": None if status is None else bool(status.get("recording")),
        "last_status": None if status is None else status.get("lastStatus"),
        "all_supported": bool(group.get("allSupported")),
        "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
        "resource_types_count": len(group.get("resourceTypes") or []),
        "excluded_resource_types_count": len((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []),
    }
