"""eks.cluster_secrets_encrypted, pure: a KMS key as the secrets encryption provider."""

import pytest

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "eks.cluster_secrets_encrypted"
UID = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/apps"


def cluster(key_arn=None, version="1.31"):
    return make_record(
        "eks.cluster",
        uid=UID,
        name="apps",
        key_arn=key_arn,
        encrypted=True,
        secrets_encrypted_with_kms=key_arn is not None,
        kubernetes_version=version,
    )


def test_cluster_with_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, cluster(key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_cluster_with_another_accounts_key_passes_as_external():
    result = run_check(CHECK, cluster(f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


@pytest.mark.parametrize(
    ("version", "phrase"),
    [("1.31", "only with EKS's default AWS-owned key"), ("1.27", "not envelope-encrypted"), ("1.28", "AWS-owned")],
)
def test_cluster_without_a_key_fails_saying_what_protects_its_secrets(version, phrase):
    result = run_check(CHECK, cluster(version=version))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)
    assert phrase in result.reason


def test_cluster_with_an_unreadable_version_still_fails():
    result = run_check(CHECK, cluster(version="latest"))
    assert result.status == Status.FAIL
    assert "latest" in result.reason


def test_cluster_not_described_is_an_error():
    assert run_check(CHECK, make_record("eks.cluster", uid=UID, name="apps")).status == Status.ERROR
