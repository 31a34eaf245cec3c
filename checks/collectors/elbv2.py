"""Collector for Elastic Load Balancing v2: load balancers (type, scheme, access logs) and their listeners
(protocol, TLS policy, and whether a plain HTTP listener does nothing but redirect to HTTPS). Their tags come
from the tagging API (collectors/tagging.py)."""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "elbv2"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeLoadBalancers": "elasticloadbalancing:DescribeLoadBalancers",
    "DescribeListeners": "elasticloadbalancing:DescribeListeners",
    "DescribeRules": "elasticloadbalancing:DescribeRules",
    "DescribeLoadBalancerAttributes": "elasticloadbalancing:DescribeLoadBalancerAttributes",
}
TLS_PROTOCOLS = ("HTTPS", "TLS")


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    elbv2 = ctx.client(SERVICE, region)
    load_balancers = []
    with collected.capture():  # load balancers on pages read before a failure are kept
        load_balancers.extend(pages(elbv2, "describe_load_balancers", "LoadBalancers"))
    for lb in load_balancers:
        lb_listeners, attributes = listeners_of(elbv2, lb, collected), attributes_of(elbv2, lb, collected)
        collected.add(load_balancer_record(lb, region, lb_listeners, attributes))
        for listener in lb_listeners or []:
            rules = rules_of(elbv2, listener, collected)
            collected.add(listener_record(listener, lb, region, rules))
    return collected


def listeners_of(elbv2, lb, collected):
    """The load balancer's listeners, or None when they could not be read (an error on the load balancer)."""
    with collected.capture(resource_uid=lb["LoadBalancerArn"]):
        return list(pages(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]))
    return None


def attributes_of(elbv2, lb, collected):
    with collected.capture(resource_uid=lb["LoadBalancerArn"]):
        response = elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])
        return {item["Key"]: item.get("Value", "") for item in response["Attributes"]}
    return None


def is_https_redirect(action):
    # "#{protocol}" (the default) keeps the request's own protocol: on an HTTP listener that is HTTP.
    return action.get("Type") == "redirect" and action.get("RedirectConfig", {}).get("Protocol") == "HTTPS"


def redirects_to_https(actions):
    return bool(actions) and all(is_https_redirect(action) for action in actions)


def rules_of(elbv2, listener, collected):
    """Non-default rules of an HTTP listener whose default already redirects (only those can still pass)."""
    if listener.get("Protocol") != "HTTP" or not redirects_to_https(listener.get("DefaultActions")):
        return None
    with collected.capture(resource_uid=listener["ListenerArn"]):
        rules = pages(elbv2, "describe_rules", "Rules", ListenerArn=listener["ListenerArn"])
        return [rule for rule in rules if not rule.get("IsDefault")]
    return None


def load_balancer_record(lb, region, listeners, attributes):
    arn = lb["LoadBalancerArn"]
    evidence = {
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "dns_name": lb.get("DNSName"),
        "vpc_id": lb.get("VpcId"),
    }
    if listeners is not None:
        evidence["listener_protocols"] = sorted({listener.get("Protocol") for listener in listeners})
    if attributes is not None:
        # AWS lists access_logs.s3.enabled as "false" when off; some emulators omit it.
        evidence["access_logs_enabled"] = attributes.get("access_logs.s3.enabled") == "true"
        evidence["access_logs_bucket"] = attributes.get("access_logs.s3.bucket") or None
        evidence["access_logs_prefix"] = attributes.get("access_logs.s3.prefix") or None
    return Record(
        uid=arn,
        type="elbv2.load_balancer",
        region=region,
        name=lb.get("LoadBalancerName", arn),
        evidence=evidence,
    )


def listener_record(listener, lb, region, rules):
    arn = listener["ListenerArn"]
    protocol = listener.get("Protocol")
    actions = listener.get("DefaultActions") or []
    evidence = {
        "protocol": protocol,
        "port": listener.get("Port"),
        # Only TLS-terminating listeners have a policy (some emulators echo one on HTTP listeners too).
        "ssl_policy": listener.get("SslPolicy") if protocol in TLS_PROTOCOLS else None,
        "load_balancer_arn": lb["LoadBalancerArn"],
        "load_balancer_name": lb.get("LoadBalancerName"),
        "default_actions": [action.get("Type") for action in actions],
        "redirects_to_https": redirects_to_https(actions),
        "plain_http_rules": None if rules is None else sum(not redirects_to_https(r.get("Actions")) for r in rules),
        "name_is_derived": True,  # listeners have no name of their own
    }
    name = f"{lb.get('LoadBalancerName')}:{listener.get('Port')}"
    return Record(uid=arn, type="elbv2.listener", region=region, name=name, evidence=evidence)
