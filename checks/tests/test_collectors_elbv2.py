"""ELBv2 collector against the moto server: load balancers, listeners, rules and access logs (tags: the tagging API)."""

import boto3

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors import elbv2
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW
from checks.tests.collecting import inventory_of
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
EVENT_SERVICE = "elastic-load-balancing-v2"  # botocore's event name for elbv2
# Builds the estate. One session for the whole module keeps botocore's loaded service models (the EC2
# model alone takes seconds to load); the collector still runs on the fixture's fresh session.
BUILDER = boto3.session.Session(region_name="us-east-1")
REDIRECT = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}


def build(service, region="us-east-1"):
    return BUILDER.client(service, region_name=region)


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, elbv2.collect(ctx, region)


def by_name(collected, type_):
    return {record.name: record for record in collected.records if record.type == type_}


def network(region="us-east-1"):
    ec2 = build("ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{region}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def estate():
    """An ALB (HTTP redirect with a forwarding rule, HTTPS on an old policy) and an NLB (TLS, access logs)."""
    vpc, subnets = network()
    client = build("elbv2")
    certificate = build("acm").request_certificate(DomainName="shop.example.com")["CertificateArn"]
    alb = client.create_load_balancer(
        Name="web", Subnets=subnets, Scheme="internet-facing", Tags=[{"Key": "owner", "Value": "jane@example.com"}]
    )["LoadBalancers"][0]
    group = client.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    forward = {"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}
    http = client.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[REDIRECT]
    )["Listeners"][0]
    client.create_rule(
        ListenerArn=http["ListenerArn"],
        Priority=1,
        Actions=[forward],
        Conditions=[{"Field": "path-pattern", "Values": ["/health"]}],
    )
    client.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTPS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-2016-08",
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[forward],
        Tags=[{"Key": "team", "Value": "shop"}],
    )
    nlb = client.create_load_balancer(Name="edge", Type="network", Subnets=subnets, Scheme="internal")["LoadBalancers"][
        0
    ]
    client.create_listener(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Protocol="TLS",
        Port=443,
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[forward],
    )
    client.modify_load_balancer_attributes(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "lb-logs"},
        ],
    )
    return alb, nlb


def test_load_balancers_and_listeners_are_recorded(aws):
    alb, nlb = estate()
    ctx, collected = scan(aws)
    assert collected.errors == []
    balancers = by_name(collected, "elbv2.load_balancer")
    assert balancers["web"].uid == alb["LoadBalancerArn"]
    assert balancers["web"].region == "us-east-1"
    assert balancers["web"].evidence["type"] == "application"
    assert balancers["web"].evidence["scheme"] == "internet-facing"
    assert balancers["web"].evidence["access_logs_enabled"] is False
    assert balancers["web"].evidence["listener_protocols"] == ["HTTP", "HTTPS"]
    assert balancers["edge"].evidence["type"] == "network"
    assert balancers["edge"].evidence["access_logs_enabled"] is True
    assert balancers["edge"].evidence["access_logs_bucket"] == "lb-logs"
    listeners = by_name(collected, "elbv2.listener")
    assert set(listeners) == {"web:80", "web:443", "edge:443"}
    assert listeners["web:80"].evidence["ssl_policy"] is None
    assert listeners["web:80"].evidence["default_actions"] == ["redirect"]
    assert listeners["web:80"].evidence["redirects_to_https"] is True
    assert listeners["web:80"].evidence["plain_http_rules"] == 1
    assert listeners["web:443"].evidence["ssl_policy"] == "ELBSecurityPolicy-2016-08"
    assert listeners["web:443"].evidence["redirects_to_https"] is False
    assert listeners["web:443"].evidence["plain_http_rules"] is None
    assert listeners["web:443"].evidence["load_balancer_arn"] == alb["LoadBalancerArn"]
    assert listeners["edge:443"].evidence["protocol"] == "TLS"
    assert {operation for (_, _, operation, _) in ctx.call_log.calls} == set(elbv2.IAM_ACTIONS)
    assert ctx.call_log.repeated() == {}


def test_checks_judge_what_was_collected(aws):
    estate()
    inventory = inventory_of(ScanContext(aws.session, aws.account_id, ("us-east-1",)), elbv2)

    def statuses(check_id):
        return {e.record.name: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}

    assert statuses("elbv2.listener_tls12") == {"web:443": Status.FAIL, "edge:443": Status.PASS}
    assert statuses("elbv2.listener_https_only") == {"web:80": Status.FAIL}  # the /health rule forwards
    assert statuses("elbv2.access_logs_enabled") == {"web": Status.FAIL, "edge": Status.PASS}
    assert statuses("hygiene.no_sensitive_identifiers")["web"] == Status.FAIL  # its tag, from the tagging API
    assert inventory.errors == []


def test_http_listener_that_only_redirects_is_clean(aws):
    _vpc, subnets = network("eu-west-1")
    client = build("elbv2", "eu-west-1")
    lb = client.create_load_balancer(Name="site", Subnets=subnets)["LoadBalancers"][0]
    client.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[REDIRECT])
    _ctx, collected = scan(aws, "eu-west-1")
    [listener] = by_name(collected, "elbv2.listener").values()
    assert listener.region == "eu-west-1"
    assert listener.evidence["plain_http_rules"] == 0


def test_pages_of_load_balancers_and_no_call_per_resource_for_tags(aws):
    _vpc, subnets = network()
    client = build("elbv2")
    for number in range(12):
        lb = client.create_load_balancer(
            Name=f"lb-{number}", Subnets=subnets, Tags=[{"Key": "n", "Value": str(number)}]
        )["LoadBalancers"][0]
        client.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=8080,
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )

    def small_pages(params, **kwargs):
        params.setdefault("PageSize", 5)  # returns None: a handler's return value would replace the params

    aws.session.events.register(f"provide-client-params.{EVENT_SERVICE}.DescribeLoadBalancers", small_pages)
    ctx, collected = scan(aws)
    balancers = by_name(collected, "elbv2.load_balancer")
    assert len(balancers) == 12
    assert len(by_name(collected, "elbv2.listener")) == 12
    calls = [key[2] for key in ctx.call_log.calls]
    assert calls.count("DescribeLoadBalancers") == 3
    assert calls.count("DescribeTags") == 0  # tags come from the tagging API, one call per region
    assert calls.count("DescribeRules") == 0  # no listener redirects, so no rule can make it pass
    assert collected.errors == []
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_region_gap(aws):
    deny(aws.session, EVENT_SERVICE, "DescribeLoadBalancers")
    _ctx, collected = scan(aws)
    assert collected.records == []
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid, error.region) == (
        "elbv2:DescribeLoadBalancers",
        "AccessDenied",
        "",
        "us-east-1",
    )


def test_denied_listeners_make_listener_checks_error_on_the_load_balancer(aws):
    deny(aws.session, EVENT_SERVICE, "DescribeListeners")
    alb, nlb = estate()
    _ctx, collected = scan(aws)
    assert {(e.api, e.resource_uid) for e in collected.errors} == {
        ("elbv2:DescribeListeners", alb["LoadBalancerArn"]),
        ("elbv2:DescribeListeners", nlb["LoadBalancerArn"]),
    }
    balancers = by_name(collected, "elbv2.load_balancer")
    assert "listener_protocols" not in balancers["web"].evidence
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    results = {e.record.name: e.result for e in evaluate_check(CATALOG["elbv2.listener_tls12"], inventory)}
    assert {name: result.status for name, result in results.items()} == {"web": Status.ERROR, "edge": Status.ERROR}
    assert "DescribeListeners" in results["web"].reason
    access = {e.record.name: e.result.status for e in evaluate_check(CATALOG["elbv2.access_logs_enabled"], inventory)}
    assert access == {"web": Status.FAIL, "edge": Status.ERROR}  # an NLB needs its listeners to be judged


def test_denied_rules_are_an_error_on_the_http_listener(aws):
    deny(aws.session, EVENT_SERVICE, "DescribeRules")
    estate()
    _ctx, collected = scan(aws)
    listeners = by_name(collected, "elbv2.listener")
    assert [(e.api, e.resource_uid) for e in collected.errors] == [("elbv2:DescribeRules", listeners["web:80"].uid)]
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    [evaluation] = evaluate_check(CATALOG["elbv2.listener_https_only"], inventory)
    assert evaluation.result.status == Status.ERROR
