"""MSK clusters: a customer-managed key at rest (aws/kafka and Serverless's own key fail), TLS only in transit."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CMK = "kafka.cluster_customer_managed_key"
TLS = "kafka.cluster_in_transit_tls"


def cluster(key_arn="alias/aws/kafka", client_broker="TLS", in_cluster=True, kind="PROVISIONED"):
    evidence = {"encrypted": True, "cluster_type": kind}
    if kind == "PROVISIONED":
        evidence.update(client_broker=client_broker, in_cluster=in_cluster)
    return make_record("kafka.cluster", name="events", key_arn=key_arn if kind == "PROVISIONED" else None, **evidence)


def test_cluster_on_the_aws_managed_default_key_fails():
    result = run_check(CMK, cluster())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_MANAGED)


def test_cluster_on_the_aws_kafka_key_by_arn_fails_through_its_alias():
    key = make_key("msk-default", aliases=["alias/aws/kafka"])
    assert run_check(CMK, cluster(key_arn=key.uid), key).key_owner == KeyOwner.AWS_MANAGED


def test_cluster_on_a_customer_managed_key_passes():
    key = make_key("events-key")
    result = run_check(CMK, cluster(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_cluster_on_another_accounts_key_passes_and_leaves_trust_to_external_account_key(trusted):
    result = run_check(CMK, cluster(key_arn=f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k"), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert "kms.external_account_key" in result.reason


def test_cluster_whose_key_is_unknown_is_an_error():
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/deleted"
    result = run_check(CMK, cluster(key_arn=key_arn))
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert key_arn in result.reason


def test_serverless_cluster_fails_as_aws_owned():
    result = run_check(CMK, cluster(kind="SERVERLESS"))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)
    assert "provisioned" in result.reason


def test_tls_only_with_in_cluster_encryption_passes():
    assert run_check(TLS, cluster()).status == Status.PASS


@pytest.mark.parametrize("client_broker", ["TLS_PLAINTEXT", "PLAINTEXT"])
def test_plain_text_clients_fail(client_broker):
    result = run_check(TLS, cluster(client_broker=client_broker))
    assert result.status == Status.FAIL
    assert client_broker in result.reason


def test_unencrypted_replication_between_brokers_fails():
    result = run_check(TLS, cluster(in_cluster=False))
    assert result.status == Status.FAIL
    assert "between themselves unencrypted" in result.reason


def test_serverless_cluster_is_tls_only():
    assert run_check(TLS, cluster(kind="SERVERLESS")).status == Status.PASS


@pytest.mark.parametrize(("client_broker", "in_cluster"), [(None, True), ("TLS", None)])
def test_encryption_in_transit_not_reported_is_an_error_not_a_default(client_broker, in_cluster):
    result = run_check(TLS, cluster(client_broker=client_broker, in_cluster=in_cluster))
    assert result.status == Status.ERROR
