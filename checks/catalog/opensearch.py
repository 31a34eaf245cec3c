"""OpenSearch Service domains: encryption at rest, HTTPS with TLS 1.2+, node-to-node encryption, public access."""

import re

from checks.catalog.base import Area, KeyOwner, Severity, Status, check, errored, failed, passed
from checks.catalog.policies import policy_verdict

NEEDS = ("opensearch:ListDomainNames", "opensearch:DescribeDomains")
GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."
# TLSSecurityPolicy names carry their minimum version: Policy-Min-TLS-1-0-2019-07 (TLS 1.0 to 1.2),
# Policy-Min-TLS-1-2-2019-07, Policy-Min-TLS-1-2-PFS-2023-10, Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08, …
MINIMUM_TLS = re.compile(r"^Policy-Min-TLS-1-(\d)-")


def minimum_tls_version(policy):
    """The lowest TLS version an OpenSearch TLS security policy accepts ("1.0" … "1.3"), None if unknown."""
    match = MINIMUM_TLS.match(policy or "")
    return f"1.{match.group(1)}" if match else None


def described(domain):
    return "encrypted" in domain.evidence


@check(
    "opensearch.domain_at_rest_encrypted",
    title="OpenSearch domain is encrypted at rest",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="opensearch.domain",
    needs=NEEDS,
    rationale=f"{GUIDANCE} Without encryption at rest the domain's indices, logs, swap files and automated "
    "snapshots are stored without KMS protection.",
    remediation="Console: OpenSearch Service › Domains › the domain › Actions › Edit security configuration › "
    "Encryption: Enable encryption of data at rest, choosing a customer-managed key (needs OpenSearch 1.0 / "
    "Elasticsearch 6.7 or later; otherwise create a new domain and restore a snapshot). CLI: aws opensearch "
    "update-domain-config --domain-name DOMAIN --encryption-at-rest-options Enabled=true,KmsKeyId=KEY_ARN",
)
def domain_at_rest_encrypted(domain, inventory):
    if not described(domain):
        return errored("The configuration of this domain was not collected.")
    if not domain.evidence["encrypted"]:
        return failed("Domain is not encrypted at rest.", key_owner=KeyOwner.UNENCRYPTED)
    # The collector names aws/es, the AWS-managed default, when the domain reports no key of its own.
    key = domain.key_arn or "alias/aws/es"
    owner = inventory.key_owner(key, domain.region)
    return passed(f"Domain is encrypted at rest with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "opensearch.domain_https_tls12",
    title="OpenSearch domain requires HTTPS with TLS 1.2 or later",
    area=Area.IN_TRANSIT,
    severity=Severity.HIGH,
    resource_type="opensearch.domain",
    needs=NEEDS,
    rationale=f"{GUIDANCE_TLS} A domain that does not enforce HTTPS answers search and index requests in plain "
    "HTTP; the TLS security policy Policy-Min-TLS-1-0-2019-07 still lets clients negotiate TLS 1.0 and 1.1.",
    remediation="Console: OpenSearch Service › Domains › the domain › Actions › Edit security configuration › "
    "Encryption: Require HTTPS for all traffic to the domain, TLS security policy Policy-Min-TLS-1-2-PFS-2023-10. "
    "CLI: aws opensearch update-domain-config --domain-name DOMAIN --domain-endpoint-options "
    "EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10",
)
def domain_https_tls12(domain, inventory):
    if not described(domain):
        return errored("The endpoint options of this domain were not collected.")
    policy = domain.evidence.get("tls_security_policy")
    if not domain.evidence.get("enforce_https"):
        return failed(f"Domain does not require HTTPS: it accepts plain HTTP (TLS policy {policy or 'none'}).")
    version = minimum_tls_version(policy)
    if version is None:
        # Never pass what we cannot show; FAIL (not ERROR: the data was collected) so someone looks.
        return failed(f"Domain uses TLS policy {policy or 'none'}, not a known TLS 1.2+ policy; confirm its minimum.")
    if version < "1.2":
        return failed(f"Domain requires HTTPS but its TLS policy {policy} accepts TLS {version}.")
    return passed(f"Domain requires HTTPS with TLS policy {policy} (TLS {version} or later).")


@check(
    "opensearch.domain_node_to_node_encrypted",
    title="OpenSearch domain encrypts traffic between its nodes",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="opensearch.domain",
    needs=NEEDS,
    rationale=f"{GUIDANCE_TLS} Without node-to-node encryption the documents and queries a domain's nodes "
    "exchange inside its VPC travel unencrypted.",
    remediation="Console: OpenSearch Service › Domains › the domain › Actions › Edit security configuration › "
    "Encryption: Node-to-node encryption (needs OpenSearch 1.0 / Elasticsearch 6.7 or later; it cannot be turned "
    "off again). CLI: aws opensearch update-domain-config --domain-name DOMAIN "
    "--node-to-node-encryption-options Enabled=true",
)
def domain_node_to_node_encrypted(domain, inventory):
    if not described(domain):
        return errored("The configuration of this domain was not collected.")
    if not domain.evidence.get("node_to_node_encryption"):
        return failed("Node-to-node encryption is off: nodes exchange data unencrypted.")
    return passed("Node-to-node encryption is on.")


@check(
    "opensearch.domain_not_public",
    title="OpenSearch domain is not open to everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="opensearch.domain",
    needs=NEEDS,
    rationale="AWS data-protection guidance: give each identity only the permissions it needs. A domain with a "
    'public endpoint whose access policy allows every principal ("Principal": "*") without a condition '
    "naming your accounts, organisation, VPC endpoints or a narrow source IP range lets anyone on the internet "
    "send requests to it. A domain inside a VPC is reachable only from that network.",
    remediation="Console: OpenSearch Service › Domains › the domain › Security configuration › Edit › Access "
    "policy: name the IAM principals (or add an aws:SourceIp condition), or create the domain in a VPC (VPC "
    "access cannot be added to an existing domain: restore a snapshot into a new one). CLI: aws opensearch "
    "update-domain-config --domain-name DOMAIN --access-policies file://policy.json",
)
def domain_not_public(domain, inventory):
    if not described(domain):
        return errored("The configuration of this domain was not collected.")
    if domain.evidence.get("in_vpc"):
        vpc = domain.evidence.get("vpc_id")
        return passed(f"Domain is in {vpc or 'a VPC'}: reachable only from that network.")
    verdict = policy_verdict(domain, "Access policy")
    if verdict.status == Status.FAIL and domain.evidence.get("fine_grained_access_control"):
        # The endpoint still answers everyone; fine-grained access control then asks for its own credentials.
        return failed(f"{verdict.reason} Fine-grained access control is on, the only barrier left.")
    return verdict
