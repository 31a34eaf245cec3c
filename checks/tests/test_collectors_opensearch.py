"""OpenSearch collector: domains on the moto server (encryption, endpoint options, VPC, the open part of the
access policy), DescribeDomains in batches of five, and botocore's Stubber for what moto does not answer as
AWS does (the key ARN of an aws/es domain, VPCDerivedInfo's VPCId) and for a failed batch."""

import json

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE
from checks.collectors import opensearch
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import Inventory
from checks.tests.builders import NOW, make_key
from checks.tests.stubbed import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")
OPEN = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}
OFFICE = {**OPEN, "Sid": "Office", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
NAMED = {**OPEN, "Sid": "Reader", "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"}}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, opensearch.collect(ctx, region)


def create(aws, name, region="us-east-1", **options):
    aws.client("opensearch", region).create_domain(DomainName=name, **options)


def domains(collected):
    return {record.name: record for record in collected.records}


def test_domains_record_encryption_endpoint_vpc_and_open_statements(aws):
    key = f"arn:aws:kms:us-east-1:{aws.account_id}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    create(aws, "legacy", AccessPolicies=policy(OPEN, NAMED))
    create(
        aws,
        "modern",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": key},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        VPCOptions={"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]},
        AccessPolicies=policy(OFFICE),
    )
    create(aws, "default-key", EncryptionAtRestOptions={"Enabled": True})
    ctx, collected = scan(aws)
    assert collected.errors == []
    found = domains(collected)
    legacy, modern = found["legacy"], found["modern"]
    assert legacy.uid == f"arn:aws:es:us-east-1:{aws.account_id}:domain/legacy"
    assert legacy.type == "opensearch.domain"
    assert (legacy.evidence["encrypted"], legacy.key_arn) == (False, None)
    assert legacy.evidence["enforce_https"] is False
    assert legacy.evidence["tls_security_policy"] == "Policy-Min-TLS-1-0-2019-07"  # moto's default, and AWS's
    assert legacy.evidence["node_to_node_encryption"] is False
    assert legacy.evidence["in_vpc"] is False
    # Only the statement open to everyone is kept, trimmed.
    assert legacy.evidence[POLICY_EVIDENCE] == [{"sid": "Anyone", "actions": ["es:*"], "condition": {}}]
    assert (modern.evidence["encrypted"], modern.key_arn) == (True, key)
    assert modern.evidence["enforce_https"] is True
    assert modern.evidence["tls_security_policy"] == "Policy-Min-TLS-1-2-PFS-2023-10"
    assert modern.evidence["node_to_node_encryption"] is True
    assert modern.evidence["in_vpc"] is True
    assert modern.evidence[POLICY_EVIDENCE][0]["sid"] == "Office"
    # moto reports no KmsKeyId for a domain on the default key; AWS names aws/es, which the collector assumes.
    assert found["default-key"].key_arn == "alias/aws/es"
    assert found["default-key"].evidence[POLICY_EVIDENCE] == []
    assert ctx.call_log.repeated() == {}


def test_collected_domains_read_as_the_checks_expect(aws):
    create(aws, "legacy", AccessPolicies=policy(OPEN))
    create(
        aws,
        "tls10",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
        AccessPolicies=policy(OFFICE),
    )
    create(
        aws,
        "private",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        VPCOptions={"SubnetIds": ["subnet-0a1b2c3d"]},
        AccessPolicies=policy(OPEN),
    )
    _ctx, collected = scan(aws)
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)

    def statuses(check_id):
        return {e.record.name: e.result.status for e in evaluate_check(CATALOG[check_id], inventory)}

    assert statuses("opensearch.domain_at_rest_encrypted") == {
        "legacy": Status.FAIL,
        "tls10": Status.PASS,
        "private": Status.PASS,
    }
    assert statuses("opensearch.domain_https_tls12") == {
        "legacy": Status.FAIL,
        "tls10": Status.FAIL,
        "private": Status.PASS,
    }
    assert statuses("opensearch.domain_node_to_node_encrypted") == {
        "legacy": Status.FAIL,
        "tls10": Status.PASS,
        "private": Status.PASS,
    }
    assert statuses("opensearch.domain_not_public") == {
        "legacy": Status.FAIL,
        "tls10": Status.PASS,
        "private": Status.PASS,
    }


def test_domains_are_described_five_names_at_a_time(aws):
    names = [f"search-{number}" for number in range(7)]
    for name in names:
        create(aws, name, region="eu-west-1")
    batches = []
    aws.session.events.register(
        "provide-client-params.opensearch.DescribeDomains",
        lambda params, **kwargs: batches.append(params["DomainNames"]),
    )
    ctx, collected = scan(aws, "eu-west-1")
    assert sorted(domains(collected)) == names
    assert sorted(len(batch) for batch in batches) == [2, 5]
    assert sorted(name for batch in batches for name in batch) == names
    assert ctx.call_log.repeated() == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "opensearch", "ListDomainNames")
    create(aws, "hidden")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("opensearch:ListDomainNames", "AccessDenied", "")
    assert collected.records == []


def test_denied_describe_is_an_error_on_each_domain_of_the_batch_and_they_stay_listed(aws):
    deny(aws.session, "opensearch", "DescribeDomains")
    for name in ("alpha", "beta"):
        create(aws, name)
    _ctx, collected = scan(aws)
    arns = {f"arn:aws:es:us-east-1:{aws.account_id}:domain/{name}" for name in ("alpha", "beta")}
    assert {record.uid for record in collected.records} == arns
    assert {(error.api, error.resource_uid) for error in collected.errors} == {
        ("opensearch:DescribeDomains", arn) for arn in arns
    }
    inventory = Inventory(aws.account_id, ("us-east-1",), NOW, collected.records, collected.errors)
    for check_id in ("opensearch.domain_at_rest_encrypted", "opensearch.domain_not_public"):
        assert {e.result.status for e in evaluate_check(CATALOG[check_id], inventory)} == {Status.ERROR}


# ---- what moto does not answer as AWS does (botocore Stubber) --------------------------------------------------

AWS_ES_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def aws_domain_status(name, **options):
    """A DomainStatus as AWS writes it: a VPC domain names its VPC, an encrypted one its key's ARN."""
    return {
        "DomainId": f"{ACCOUNT}/{name}",
        "DomainName": name,
        "ARN": f"arn:aws:es:us-east-1:{ACCOUNT}:domain/{name}",
        "ClusterConfig": {},
        **options,
    }


def test_aws_shaped_vpc_domain_on_the_aws_es_key(aws):
    status = aws_domain_status(
        "orders",
        EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": AWS_ES_KEY},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        VPCOptions={"VPCId": "vpc-0abc", "SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        AccessPolicies=policy(OPEN),
        AdvancedSecurityOptions={"Enabled": True},
    )
    with stubbed("opensearch") as (ctx, stubber):
        stubber.add_response(
            "list_domain_names", {"DomainNames": [{"DomainName": "orders", "EngineType": "OpenSearch"}]}
        )
        stubber.add_response("describe_domains", {"DomainStatusList": [status]}, {"DomainNames": ["orders"]})
        collected = opensearch.collect(ctx, "us-east-1")
    [record] = collected.records
    assert record.key_arn == AWS_ES_KEY
    assert (record.evidence["in_vpc"], record.evidence["vpc_id"]) == (True, "vpc-0abc")
    assert record.evidence["fine_grained_access_control"] is True
    # The aws/es key as KMS lists it (alias/aws/es) makes the domain's key AWS-managed.
    es_key = make_key(AWS_ES_KEY.rsplit("/", 1)[1], account=ACCOUNT, aliases=["alias/aws/es"])
    inventory = Inventory(ACCOUNT, ("us-east-1",), NOW, [record, es_key], [])
    [at_rest] = evaluate_check(CATALOG["opensearch.domain_at_rest_encrypted"], inventory)
    assert (at_rest.result.status, at_rest.result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)
    [public] = evaluate_check(CATALOG["opensearch.domain_not_public"], inventory)
    assert public.result.status == Status.PASS
    assert "vpc-0abc" in public.result.reason


def test_throttled_batch_is_an_error_on_its_domains_and_the_next_batch_is_still_read(aws):
    names = [f"d-{number}" for number in range(6)]
    with stubbed("opensearch") as (ctx, stubber):
        stubber.add_response("list_domain_names", {"DomainNames": [{"DomainName": name} for name in names]})
        stubber.add_client_error(
            "describe_domains", "ThrottlingException", "slow down", 400, {"DomainNames": names[:5]}
        )
        stubber.add_response(
            "describe_domains", {"DomainStatusList": [aws_domain_status("d-5")]}, {"DomainNames": names[5:]}
        )
        collected = opensearch.collect(ctx, "us-east-1")
    assert sorted(record.name for record in collected.records) == names
    assert sorted(error.resource_uid.rsplit("/", 1)[1] for error in collected.errors) == names[:5]
    assert {error.code for error in collected.errors} == {"ThrottlingException"}
    [described] = [record for record in collected.records if record.name == "d-5"]
    assert described.evidence["encrypted"] is False


def test_malformed_access_policy_is_an_error_on_that_domain_only(aws):
    with stubbed("opensearch") as (ctx, stubber):
        stubber.add_response("list_domain_names", {"DomainNames": [{"DomainName": "odd"}]})
        stubber.add_response(
            "describe_domains", {"DomainStatusList": [aws_domain_status("odd", AccessPolicies="{not json")]}
        )
        collected = opensearch.collect(ctx, "us-east-1")
    [record] = collected.records
    [error] = collected.errors
    assert (error.resource_uid, error.api, error.code) == (
        record.uid,
        "opensearch:DescribeDomains",
        "MalformedResponse",
    )
    assert record.evidence[POLICY_EVIDENCE] is None
