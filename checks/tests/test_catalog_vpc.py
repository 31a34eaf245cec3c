"""vpc.flow_logs_enabled: a VPC has a flow log that is active and delivering."""

from checks.catalog.base import Status
from checks.tests.builders import make_record, run_check


def flow_log(id_="fl-1", status="ACTIVE", deliver_status="SUCCESS", traffic_type="ALL", destination="s3"):
    return {
        "id": id_,
        "status": status,
        "deliver_status": deliver_status,
        "traffic_type": traffic_type,
        "destination_type": destination,
    }


def vpc(flow_logs, is_default=False):
    return make_record("ec2.vpc", name="vpc-1", is_default=is_default, cidr_block="10.0.0.0/16", flow_logs=flow_logs)


def test_vpc_with_active_flow_log_passes():
    result = run_check("vpc.flow_logs_enabled", vpc([flow_log(traffic_type="REJECT")]))
    assert result.status == Status.PASS
    assert "fl-1 (REJECT traffic to s3)" in result.reason


def test_vpc_without_flow_logs_fails():
    result = run_check("vpc.flow_logs_enabled", vpc([], is_default=True))
    assert result.status == Status.FAIL
    assert result.reason == "Default VPC has no flow logs."


def test_vpc_whose_only_flow_log_fails_to_deliver_fails():
    result = run_check("vpc.flow_logs_enabled", vpc([flow_log(deliver_status="FAILED")]))
    assert result.status == Status.FAIL
    assert "ACTIVE/FAILED" in result.reason


def test_one_delivering_flow_log_is_enough():
    logs = [flow_log("fl-1", deliver_status="FAILED"), flow_log("fl-2", destination="cloud-watch-logs")]
    result = run_check("vpc.flow_logs_enabled", vpc(logs))
    assert result.status == Status.PASS
    assert "fl-2" in result.reason
    assert "fl-1" not in result.reason


def test_vpc_whose_flow_logs_were_not_collected_is_an_error():
    record = make_record("ec2.vpc", name="vpc-1", is_default=False)
    assert run_check("vpc.flow_logs_enabled", record).status == Status.ERROR
