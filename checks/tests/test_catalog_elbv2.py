"""elbv2 checks: listener TLS policy, HTTPS-only listeners, access logs."""

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.catalog.elbv2 import minimum_tls_version
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import REGION, make_inventory, make_record, run_check

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/abc"


def listener(protocol="HTTPS", port=443, ssl_policy=None, **evidence):
    return make_record(
        "elbv2.listener",
        name=f"web:{port}",
        protocol=protocol,
        port=port,
        ssl_policy=ssl_policy,
        load_balancer_arn=LB_ARN,
        name_is_derived=True,
        **evidence,
    )


def load_balancer(kind="application", **evidence):
    return make_record("elbv2.load_balancer", uid=LB_ARN, name="web", type=kind, **evidence)


@pytest.mark.parametrize(
    ("policy", "version"),
    [
        ("ELBSecurityPolicy-2016-08", "1.0"),
        ("ELBSecurityPolicy-2015-05", "1.0"),
        ("ELBSecurityPolicy-FS-2018-06", "1.0"),
        ("ELBSecurityPolicy-TLS-1-0-2015-04", "1.0"),
        ("ELBSecurityPolicy-TLS-1-1-2017-01", "1.1"),
        ("ELBSecurityPolicy-FS-1-1-2019-08", "1.1"),
        ("ELBSecurityPolicy-TLS13-1-0-2021-06", "1.0"),
        ("ELBSecurityPolicy-TLS13-1-1-2021-06", "1.1"),
        ("ELBSecurityPolicy-TLS-1-2-2017-01", "1.2"),
        ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "1.2"),
        ("ELBSecurityPolicy-FS-1-2-Res-2020-10", "1.2"),
        ("ELBSecurityPolicy-TLS13-1-2-2021-06", "1.2"),
        ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", "1.2"),
        ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", "1.2"),
        ("ELBSecurityPolicy-TLS13-1-3-2021-06", "1.3"),
        ("my-custom-policy", None),
        ("", None),
    ],
)
def test_minimum_tls_version_reads_policy_names(policy, version):
    assert minimum_tls_version(policy) == version


def test_https_listener_with_tls13_policy_passes():
    result = run_check("elbv2.listener_tls12", listener(ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06"))
    assert result.status == Status.PASS
    assert "ELBSecurityPolicy-TLS13-1-2-2021-06" in result.reason


def test_https_listener_with_2016_policy_fails_naming_tls10():
    result = run_check("elbv2.listener_tls12", listener(ssl_policy="ELBSecurityPolicy-2016-08"))
    assert result.status == Status.FAIL
    assert "TLS 1.0" in result.reason


def test_tls_listener_with_tls11_policy_fails():
    result = run_check("elbv2.listener_tls12", listener("TLS", ssl_policy="ELBSecurityPolicy-TLS-1-1-2017-01"))
    assert result.status == Status.FAIL
    assert "TLS 1.1" in result.reason


def test_unknown_policy_name_fails_with_a_reason():
    result = run_check("elbv2.listener_tls12", listener(ssl_policy="Custom-Policy"))
    assert result.status == Status.FAIL
    assert "not a known TLS 1.2+ policy" in result.reason


def test_http_and_tcp_listeners_are_not_judged_for_tls():
    assert run_check("elbv2.listener_tls12", listener("HTTP", 80, ssl_policy="ELBSecurityPolicy-2016-08")) is None
    assert run_check("elbv2.listener_tls12", listener("TCP", 22)) is None


def test_load_balancer_whose_listeners_were_not_read_is_an_error_for_listener_checks():
    lb = load_balancer()
    error = CollectionError("elbv2", REGION, "elbv2:DescribeListeners", "AccessDenied", "no", resource_uid=LB_ARN)
    inventory = make_inventory(lb, errors=[error])
    for check_id in ("elbv2.listener_tls12", "elbv2.listener_https_only"):
        [evaluation] = evaluate_check(CATALOG[check_id], inventory)
        assert evaluation.record.uid == LB_ARN
        assert evaluation.result.status == Status.ERROR
    assert evaluate_check(CATALOG["elbv2.listener_tls12"], make_inventory(lb)) == []


def test_http_listener_redirecting_to_https_passes():
    record = listener("HTTP", 80, default_actions=["redirect"], redirects_to_https=True, plain_http_rules=0)
    assert run_check("elbv2.listener_https_only", record).status == Status.PASS


def test_http_listener_forwarding_fails_with_its_actions():
    record = listener("HTTP", 80, default_actions=["forward"], redirects_to_https=False, plain_http_rules=None)
    result = run_check("elbv2.listener_https_only", record)
    assert result.status == Status.FAIL
    assert "forward" in result.reason


def test_http_listener_with_forwarding_rule_fails_even_if_default_redirects():
    record = listener("HTTP", 80, default_actions=["redirect"], redirects_to_https=True, plain_http_rules=2)
    result = run_check("elbv2.listener_https_only", record)
    assert result.status == Status.FAIL
    assert "2 rule(s)" in result.reason


def test_http_listener_whose_rules_were_not_read_is_an_error_not_a_pass():
    record = listener("HTTP", 80, default_actions=["redirect"], redirects_to_https=True, plain_http_rules=None)
    assert run_check("elbv2.listener_https_only", record).status == Status.ERROR


def test_https_listener_is_not_judged_for_https_only():
    assert run_check("elbv2.listener_https_only", listener(ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06")) is None


def test_application_load_balancer_with_access_logs_passes():
    record = load_balancer(access_logs_enabled=True, access_logs_bucket="logs")
    result = run_check("elbv2.access_logs_enabled", record)
    assert result.status == Status.PASS
    assert "s3://logs" in result.reason


def test_application_load_balancer_without_access_logs_fails():
    assert run_check("elbv2.access_logs_enabled", load_balancer(access_logs_enabled=False)).status == Status.FAIL


def test_network_load_balancer_without_tls_listener_is_not_applicable():
    record = load_balancer("network", access_logs_enabled=False, listener_protocols=["TCP"])
    assert run_check("elbv2.access_logs_enabled", record).status == Status.NOT_APPLICABLE


def test_network_load_balancer_with_tls_listener_is_judged():
    record = load_balancer("network", access_logs_enabled=False, listener_protocols=["TCP", "TLS"])
    assert run_check("elbv2.access_logs_enabled", record).status == Status.FAIL


def test_network_load_balancer_with_unread_listeners_is_an_error():
    record = load_balancer("network", access_logs_enabled=True)
    assert run_check("elbv2.access_logs_enabled", record).status == Status.ERROR


def test_gateway_load_balancer_is_not_judged_for_access_logs():
    assert run_check("elbv2.access_logs_enabled", load_balancer("gateway", access_logs_enabled=False)) is None
