"""CloudWatch Logs: log groups, their KMS key and their retention."""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "logs"
SCOPE = "regional"
IAM_ACTIONS = {"DescribeLogGroups": "logs:DescribeLogGroups"}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    logs = ctx.client(SERVICE, region)
    with collected.capture(api="logs:DescribeLogGroups"):
        for group in pages(logs, "describe_log_groups", "logGroups"):
            collected.add(log_group_record(region, group))
    return collected


def log_group_arn(group):
    # "arn" ends in ":*" (it names the group's streams); logGroupArn, where present, is the group itself.
    arn = group.get("logGroupArn") or group["arn"]
    return arn.removesuffix(":*")


def log_group_record(region, group):
    return Record(
        uid=log_group_arn(group),
        type="logs.log_group",
        region=region,
        name=group.get("logGroupName", ""),
        # CloudWatch Logs always encrypts log data at rest; without kmsKeyId it uses the service's own key.
        evidence={"encrypted": True, "retention_in_days": group.get("retentionInDays")},
        key_arn=group.get("kmsKeyId") or None,
    )
