"""OpenSearch Service: domains (OpenSearch and Elasticsearch engines), their encryption at rest and between
nodes, HTTPS and its TLS policy, VPC placement and the part of the access policy open to everyone.

ListDomainNames answers every domain of the region at once; DescribeDomains takes five names per call.
"""

from dataclasses import replace

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected
from checks.inventory import Record

SERVICE = "opensearch"
SCOPE = "regional"
# OpenSearch Service keeps the IAM prefix of its Elasticsearch days.
IAM_ACTIONS = {"ListDomainNames": "es:ListDomainNames", "DescribeDomains": "es:DescribeDomains"}
DESCRIBE_BATCH = 5  # the most domain names DescribeDomains accepts in one call
# A domain encrypted at rest without a key of its own uses the AWS-managed aws/es key.
DEFAULT_KEY = "alias/aws/es"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    opensearch = ctx.client(SERVICE, region)
    names = []
    with collected.capture(api="opensearch:ListDomainNames"):
        names = [domain["DomainName"] for domain in opensearch.list_domain_names()["DomainNames"]]
    for start in range(0, len(names), DESCRIBE_BATCH):
        batch = names[start : start + DESCRIBE_BATCH]
        for status in describe(opensearch, collected, ctx.account_id, region, batch):
            collected.add(domain_record(collected, region, status))
    return collected


def domain_arn(account_id, region, name):
    return f"arn:aws:es:{region}:{account_id}:domain/{name}"


def describe(opensearch, collected, account_id, region, batch):
    """The DomainStatus of each domain in `batch`; a failed call is an error on each of them (never a gap)."""
    attempt = Collected(SERVICE, region)
    statuses = []
    with attempt.capture(api="opensearch:DescribeDomains"):
        statuses = opensearch.describe_domains(DomainNames=batch)["DomainStatusList"]
    for error in attempt.errors:
        for name in batch:
            collected.errors.append(replace(error, resource_uid=domain_arn(account_id, region, name)))
            # Listed but not described: still recorded, so every check of the domain shows ERROR.
            collected.add(Record(domain_arn(account_id, region, name), "opensearch.domain", region, name))
    return statuses


def domain_record(collected, region, status):
    arn = status["ARN"]
    evidence = domain_evidence(status)
    # AWS validates access policies when they are set; one that still does not parse is this domain's error.
    with collected.capture(resource_uid=arn, api="opensearch:DescribeDomains"):
        evidence[POLICY_EVIDENCE] = open_statements(status.get("AccessPolicies"))
    at_rest = status.get("EncryptionAtRestOptions") or {}
    return Record(
        uid=arn,
        type="opensearch.domain",
        region=region,
        name=status["DomainName"],
        evidence=evidence,
        key_arn=(at_rest.get("KmsKeyId") or DEFAULT_KEY) if evidence["encrypted"] else None,
    )


def domain_evidence(status):
    endpoint = status.get("DomainEndpointOptions") or {}
    vpc = status.get("VPCOptions") or {}
    return {
        "encrypted": bool((status.get("EncryptionAtRestOptions") or {}).get("Enabled")),
        "node_to_node_encryption": bool((status.get("NodeToNodeEncryptionOptions") or {}).get("Enabled")),
        "enforce_https": bool(endpoint.get("EnforceHTTPS")),
        "tls_security_policy": endpoint.get("TLSSecurityPolicy"),
        # A VPC domain has subnets (and AWS names its VPC); a public one has neither.
        "in_vpc": bool(vpc.get("VPCId") or vpc.get("SubnetIds")),
        "vpc_id": vpc.get("VPCId"),
        "fine_grained_access_control": bool((status.get("AdvancedSecurityOptions") or {}).get("Enabled")),
        "engine_version": status.get("EngineVersion"),
        POLICY_EVIDENCE: None,
    }
