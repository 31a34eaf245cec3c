"""Encryption in transit and logging for Application and Network Load Balancers."""

import re

from checks.catalog.base import Area, Severity, check, errored, failed, not_applicable, passed

TLS_PROTOCOLS = ("HTTPS", "TLS")
# ALB/NLB accept only AWS's predefined policies. Every current name carries its minimum version as
# "1-<minor>" (ELBSecurityPolicy-TLS13-1-2-2021-06, -TLS-1-2-Ext-2018-06, -FS-1-1-2019-08, ...);
# only these older names do not, and all three still accept TLS 1.0.
LEGACY_POLICY_MINIMUM = {
    "ELBSecurityPolicy-2016-08": "1.0",
    "ELBSecurityPolicy-2015-05": "1.0",
    "ELBSecurityPolicy-FS-2018-06": "1.0",
}
VERSIONED_POLICY = re.compile(r"^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-")
LISTENER_NEEDS = ("elbv2:DescribeLoadBalancers", "elbv2:DescribeListeners")
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."


def minimum_tls_version(policy):
    """The lowest TLS version an ELB security policy accepts ("1.0" … "1.3"), or None if the name is unknown."""
    if policy in LEGACY_POLICY_MINIMUM:
        return LEGACY_POLICY_MINIMUM[policy]
    match = VERSIONED_POLICY.match(policy or "")
    return f"1.{match.group(1)}" if match else None


def listener_label(listener):
    return f"{listener.evidence.get('protocol')} listener on port {listener.evidence.get('port')}"


@check(
    "elbv2.listener_tls12",
    title="HTTPS/TLS listeners use a TLS 1.2+ security policy",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    # Load balancers are listed so that one whose listeners could not be read shows as ERROR here.
    resource_type=("elbv2.listener", "elbv2.load_balancer"),
    needs=LISTENER_NEEDS,
    rationale=f"{GUIDANCE_TLS} A listener whose security policy still negotiates TLS 1.0 or 1.1 lets clients "
    "fall back to protocols with known weaknesses.",
    remediation="Console: EC2 › Load Balancers › the load balancer › Listeners › Edit › Security policy: choose "
    "ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS 1.2+ policy). CLI: aws elbv2 modify-listener "
    "--listener-arn ARN --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06",
)
def listener_tls12(listener, inventory):
    if listener.type != "elbv2.listener" or listener.evidence.get("protocol") not in TLS_PROTOCOLS:
        return None
    policy = listener.evidence.get("ssl_policy")
    label = listener_label(listener)
    if not policy:
        return failed(f"{label} has no security policy.")
    version = minimum_tls_version(policy)
    if version is None:
        # Only predefined policies exist for ALB/NLB, so an unreadable name means our table is stale:
        # never pass what we cannot show; FAIL (not ERROR: the data was collected) so someone looks.
        return failed(f"{label} uses {policy}, which is not a known TLS 1.2+ policy; confirm its minimum version.")
    if version < "1.2":
        return failed(f"{label} uses {policy}, which accepts TLS {version}.")
    return passed(f"{label} uses {policy} (TLS {version} or later).")


def is_http_listener(record):
    return record.type == "elbv2.listener" and record.evidence.get("protocol") == "HTTP"


@check(
    "elbv2.listener_https_only",
    title="Plain HTTP listeners only redirect to HTTPS",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type=("elbv2.listener", "elbv2.load_balancer"),
    needs=(*LISTENER_NEEDS, "elbv2:DescribeRules"),
    rationale=f"{GUIDANCE_TLS} An HTTP listener that forwards requests carries them, and any credentials or "
    "personal data in them, unencrypted; it should only answer with a redirect to HTTPS.",
    remediation="Console: EC2 › Load Balancers › the load balancer › Listeners › HTTP:80 › Edit: set the default "
    "action to 'Redirect to URL' with protocol HTTPS, port 443, and remove rules that forward. "
    "CLI: aws elbv2 modify-listener --listener-arn ARN --default-actions "
    "'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'",
)
def listener_https_only(listener, inventory):
    if not is_http_listener(listener):
        return None
    evidence = listener.evidence
    label = listener_label(listener)
    if not evidence.get("redirects_to_https"):
        actions = ", ".join(evidence.get("default_actions") or []) or "none"
        return failed(f"{label} serves plain HTTP (default actions: {actions}) instead of redirecting to HTTPS.")
    plain_rules = evidence.get("plain_http_rules")
    if plain_rules is None:
        return errored(f"{label} redirects to HTTPS by default, but its rules were not read.")
    if plain_rules:
        return failed(f"{label} redirects to HTTPS by default, but {plain_rules} rule(s) serve plain HTTP.")
    return passed(f"{label} only redirects to HTTPS.")


@check(
    "elbv2.access_logs_enabled",
    title="Load balancers write access logs",
    area=Area.LOGGING,
    severity=Severity.MEDIUM,
    resource_type="elbv2.load_balancer",
    needs=("elbv2:DescribeLoadBalancers", "elbv2:DescribeLoadBalancerAttributes"),
    rationale="AWS data-protection guidance: set up API and user activity logging. Access logs record every "
    "request a load balancer receives (client, path, TLS protocol and cipher), which is the evidence "
    "needed to investigate access to the data behind it.",
    remediation="Console: EC2 › Load Balancers › the load balancer › Attributes › Edit › Monitoring: turn on "
    "Access logs and choose an S3 bucket. CLI: aws elbv2 modify-load-balancer-attributes "
    "--load-balancer-arn ARN --attributes Key=access_logs.s3.enabled,Value=true "
    "Key=access_logs.s3.bucket,Value=BUCKET",
)
def access_logs_enabled(load_balancer, inventory):
    evidence = load_balancer.evidence
    kind = evidence.get("type")
    if kind == "gateway":
        return None  # Gateway Load Balancers have no access logs.
    if kind == "network":
        protocols = evidence.get("listener_protocols")
        if protocols is None:
            return errored("Network Load Balancer's listeners were not read, so its access logging cannot be judged.")
        if "TLS" not in protocols:
            return not_applicable("Network Load Balancers log only TLS connections, and this one has no TLS listener.")
    if "access_logs_enabled" not in evidence:
        return errored("Load balancer attributes were not read.")
    if not evidence["access_logs_enabled"]:
        return failed("Access logging is off.")
    return passed(f"Access logs go to s3://{evidence.get('access_logs_bucket') or '?'}.")
