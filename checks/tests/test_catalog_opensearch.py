"""OpenSearch domains: at-rest key owner, HTTPS with a TLS 1.2+ policy, node-to-node, and public access
judged by the one rule for "public" (checks/catalog/policies.py) unless the domain is in a VPC."""

import json

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.tests.builders import OTHER_ACCOUNT, REGION, make_key, make_record, run_check

AT_REST = "opensearch.domain_at_rest_encrypted"
HTTPS = "opensearch.domain_https_tls12"
NODE_TO_NODE = "opensearch.domain_node_to_node_encrypted"
PUBLIC = "opensearch.domain_not_public"
ANYONE = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}


def access_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def domain(
    encrypted=True,
    key_arn="alias/aws/es",
    https=True,
    tls="Policy-Min-TLS-1-2-2019-07",
    node_to_node=True,
    in_vpc=False,
    policy="",
    fgac=False,
):
    return make_record(
        "opensearch.domain",
        name="search",
        key_arn=key_arn if encrypted else None,
        encrypted=encrypted,
        node_to_node_encryption=node_to_node,
        enforce_https=https,
        tls_security_policy=tls,
        in_vpc=in_vpc,
        vpc_id="vpc-0abc" if in_vpc else None,
        fine_grained_access_control=fgac,
        **{POLICY_EVIDENCE: open_statements(policy)},
    )


NOT_DESCRIBED = make_record("opensearch.domain", name="search")


# ---- at rest --------------------------------------------------------------------------------------------------


def test_unencrypted_domain_fails():
    result = run_check(AT_REST, domain(encrypted=False))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_domain_on_the_aws_es_key_passes_as_aws_managed():
    result = run_check(AT_REST, domain())
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_domain_on_the_aws_es_key_by_arn_is_aws_managed_through_its_alias():
    key = make_key("es-default", aliases=["alias/aws/es"])
    result = run_check(AT_REST, domain(key_arn=key.uid), key)
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_domain_on_its_own_key_passes_as_customer_managed():
    key = make_key("search-key")
    result = run_check(AT_REST, domain(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_domain_on_another_accounts_key_is_external():
    result = run_check(AT_REST, domain(key_arn=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


@pytest.mark.parametrize("check_id", [AT_REST, HTTPS, NODE_TO_NODE, PUBLIC])
def test_domain_not_described_is_an_error_in_every_check(check_id):
    assert run_check(check_id, NOT_DESCRIBED).status == Status.ERROR


# ---- HTTPS and TLS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10", "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08"],
)
def test_https_with_a_tls12_policy_passes(policy):
    result = run_check(HTTPS, domain(tls=policy))
    assert result.status == Status.PASS
    assert policy in result.reason


def test_https_with_the_tls10_policy_fails():
    result = run_check(HTTPS, domain(tls="Policy-Min-TLS-1-0-2019-07"))
    assert result.status == Status.FAIL
    assert "accepts TLS 1.0" in result.reason


def test_plain_http_fails_even_with_a_tls12_policy():
    result = run_check(HTTPS, domain(https=False))
    assert result.status == Status.FAIL
    assert "plain HTTP" in result.reason


@pytest.mark.parametrize("policy", [None, "Policy-Custom-2030"])
def test_unknown_or_missing_policy_fails_rather_than_passes(policy):
    result = run_check(HTTPS, domain(tls=policy))
    assert result.status == Status.FAIL
    assert "not a known TLS 1.2+ policy" in result.reason


# ---- node to node ---------------------------------------------------------------------------------------------


def test_node_to_node_on_passes_and_off_fails():
    assert run_check(NODE_TO_NODE, domain()).status == Status.PASS
    assert run_check(NODE_TO_NODE, domain(node_to_node=False)).status == Status.FAIL


# ---- public access --------------------------------------------------------------------------------------------


def test_public_endpoint_open_to_everyone_fails():
    result = run_check(PUBLIC, domain(policy=access_policy({**ANYONE, "Sid": "Open"})))
    assert result.status == Status.FAIL
    assert "Open" in result.reason


def test_open_policy_narrowed_to_an_office_range_passes():
    narrowed = {**ANYONE, "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
    assert run_check(PUBLIC, domain(policy=access_policy(narrowed))).status == Status.PASS


def test_open_policy_with_an_internet_wide_range_fails():
    wide = {**ANYONE, "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}
    assert run_check(PUBLIC, domain(policy=access_policy(wide))).status == Status.FAIL


def test_domain_in_a_vpc_passes_even_with_an_open_policy():
    result = run_check(PUBLIC, domain(in_vpc=True, policy=access_policy(ANYONE)))
    assert result.status == Status.PASS
    assert "vpc-0abc" in result.reason


def test_policy_naming_principals_passes():
    named = {**ANYONE, "Principal": {"AWS": "arn:aws:iam::111111111111:role/search"}}
    assert run_check(PUBLIC, domain(policy=access_policy(named))).status == Status.PASS


def test_domain_without_an_access_policy_passes():
    assert run_check(PUBLIC, domain(policy="")).status == Status.PASS


def test_open_domain_with_fine_grained_access_control_still_fails_and_says_so():
    result = run_check(PUBLIC, domain(policy=access_policy(ANYONE), fgac=True))
    assert result.status == Status.FAIL
    assert "Fine-grained access control is on" in result.reason


def test_domain_whose_policy_could_not_be_read_is_an_error():
    record = domain()
    record.evidence[POLICY_EVIDENCE] = None
    assert run_check(PUBLIC, record).status == Status.ERROR
