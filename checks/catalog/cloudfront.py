"""Encryption in transit for CloudFront distributions (viewer side)."""

import re

from checks.catalog.base import Area, Severity, check, failed, passed

# MinimumProtocolVersion values: SSLv3, TLSv1, TLSv1_2016, TLSv1.1_2016, TLSv1.2_2018/2019/2021/2025,
# TLSv1.3_2025. The digit after "TLSv1." is the lowest TLS minor version viewers may negotiate.
PROTOCOL_MINOR = re.compile(r"^TLSv1\.(\d)_")
HTTPS_POLICIES = ("redirect-to-https", "https-only")


def minimum_protocol_problem(distribution):
    """Why the viewer TLS minimum is below 1.2, or None when it is 1.2 or later."""
    evidence = distribution.evidence
    version = evidence.get("minimum_protocol_version") or "unknown"
    if evidence.get("uses_default_certificate"):
        # With the *.cloudfront.net certificate CloudFront ignores the setting and accepts TLSv1.
        return "it uses the default CloudFront certificate, which always accepts TLSv1"
    match = PROTOCOL_MINOR.match(version)
    if match is None or int(match.group(1)) < 2:
        return f"its minimum viewer protocol is {version}"
    return None


def plain_http_problem(distribution):
    paths = distribution.evidence.get("http_allowed_paths")
    if paths is None:
        return "its cache behaviors were not read"
    if paths:
        return f"viewers may use plain HTTP on {', '.join(paths)}"
    return None


@check(
    "cloudfront.distribution_tls12",
    title="CloudFront viewers use HTTPS with TLS 1.2 or later",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type="cloudfront.distribution",
    needs=("cloudfront:ListDistributions",),
    rationale="AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later. "
    "A viewer protocol policy of allow-all serves content over plain HTTP, and a minimum protocol "
    "below TLSv1.2 (including the default *.cloudfront.net certificate, fixed at TLSv1) lets viewers "
    "negotiate TLS 1.0 or 1.1.",
    remediation="Console: CloudFront › the distribution › Behaviors › Edit each behavior › Viewer protocol "
    "policy: Redirect HTTP to HTTPS; General › Settings › Edit: use a custom SSL certificate (ACM) "
    "and Security policy TLSv1.2_2021. CLI: aws cloudfront get-distribution-config --id ID, set "
    "ViewerProtocolPolicy to redirect-to-https and ViewerCertificate.MinimumProtocolVersion to "
    "TLSv1.2_2021, then aws cloudfront update-distribution --id ID --if-match ETAG "
    "--distribution-config file://config.json",
)
def distribution_tls12(distribution, inventory):
    problems = [
        problem for problem in (plain_http_problem(distribution), minimum_protocol_problem(distribution)) if problem
    ]
    if problems:
        return failed(f"Distribution is not HTTPS-only with TLS 1.2+: {'; '.join(problems)}.")
    version = distribution.evidence.get("minimum_protocol_version")
    return passed(f"Every behavior requires HTTPS and the minimum viewer protocol is {version}.")
