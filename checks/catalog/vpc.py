"""Logging of network traffic: VPC flow logs."""

from checks.catalog.base import Area, Severity, check, errored, failed, passed


def is_delivering(flow_log):
    # ACTIVE only says the flow log exists; DeliverLogsStatus FAILED means nothing reaches the destination
    # (a missing role, a full or deleted bucket), which is no logging at all.
    return flow_log.get("status") == "ACTIVE" and flow_log.get("deliver_status") != "FAILED"


def describe_flow_log(flow_log):
    return f"{flow_log.get('id')} ({flow_log.get('traffic_type')} traffic to {flow_log.get('destination_type')})"


@check(
    "vpc.flow_logs_enabled",
    title="VPC has flow logs",
    area=Area.LOGGING,
    severity=Severity.MEDIUM,
    resource_type="ec2.vpc",
    needs=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"),
    rationale="AWS data-protection guidance: set up API and user activity logging. Flow logs are the network "
    "side of that record: without them there is no trace of which addresses reached or tried to reach the data "
    "in a VPC.",
    remediation="Console: VPC › Your VPCs › the VPC › Flow logs › Create flow log: filter All, destination "
    "CloudWatch Logs or S3. CLI: aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID "
    "--traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::BUCKET",
)
def flow_logs_enabled(vpc, inventory):
    flow_logs = vpc.evidence.get("flow_logs")
    label = "Default VPC" if vpc.evidence.get("is_default") else "VPC"
    if flow_logs is None:
        return errored(f"The flow logs of {label.lower()} {vpc.name} were not collected.")
    delivering = [flow_log for flow_log in flow_logs if is_delivering(flow_log)]
    if delivering:
        described = ", ".join(describe_flow_log(flow_log) for flow_log in delivering)
        return passed(f"{label} has flow logs: {described}.")
    if flow_logs:
        states = ", ".join(
            f"{flow_log.get('id')} is {flow_log.get('status')}/{flow_log.get('deliver_status')}"
            for flow_log in flow_logs
        )
        return failed(f"{label} has flow logs but none is delivering: {states}.")
    return failed(f"{label} has no flow logs.")
