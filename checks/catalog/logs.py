"""CloudWatch Logs: log groups encrypted with a KMS key, and kept long enough."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

NEEDS = ("logs:DescribeLogGroups",)


@check(
    "logs.log_group_kms_encrypted",
    title="Log group is encrypted with a KMS key",
    area=Area.AT_REST,
    severity=Severity.LOW,
    resource_type="logs.log_group",
    needs=NEEDS,
    rationale="AWS data-protection guidance: prefer keys you own and manage. CloudWatch Logs always encrypts log "
    "data with a key it owns; associating a customer-managed KMS key puts reading the logs (which often hold "
    "personal data and secrets by accident) under your own key policy and audit trail.",
    remediation="Allow the logs.REGION.amazonaws.com principal to use the key in its key policy, then Console: "
    "CloudWatch › Log groups › the group › Actions › Edit KMS key ID. CLI: aws logs associate-kms-key "
    "--log-group-name NAME --kms-key-id KEY_ARN",
)
def log_group_kms_encrypted(group, inventory):
    if group.evidence.get("encrypted") is None:
        return errored("The encryption of this log group was not collected.")
    key = group.key_arn
    if not key:
        return failed(
            "Log group is encrypted only with CloudWatch Logs' own key (no KMS key).", key_owner=KeyOwner.AWS_OWNED
        )
    owner = inventory.key_owner(key, group.region)
    return passed(f"Log group is encrypted with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "logs.log_group_retention_adequate",
    title="Log group keeps its logs long enough",
    area=Area.LOGGING,
    severity=Severity.LOW,
    resource_type="logs.log_group",
    needs=NEEDS,
    rationale="AWS data-protection guidance: set up API and user activity logging. Logs that expire before an "
    "incident is noticed or an audit asks for them are no record at all; keep them at least the configured "
    "minimum (default 365 days) or never expire them.",
    remediation="Console: CloudWatch › Log groups › the group › Actions › Edit retention setting: choose at least "
    "the minimum (e.g. 1 year) or Never expire. CLI: aws logs put-retention-policy --log-group-name NAME "
    "--retention-in-days 365",
)
def log_group_retention_adequate(group, inventory):
    if "retention_in_days" not in group.evidence:
        return errored("The retention of this log group was not collected.")
    days = group.evidence["retention_in_days"]
    minimum = inventory.log_retention_min_days
    if days is None:
        return passed("Log group never expires its logs.")
    if days >= minimum:
        return passed(f"Log group keeps logs for {days} days (minimum {minimum}).")
    return failed(f"Log group keeps logs for only {days} days; the minimum is {minimum}.")
