"""ECR checks, pure: KMS rather than the AES-256 default; no repository policy open to everyone."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.catalog.policies import POLICY_EVIDENCE
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check

ENCRYPTION = "ecr.repository_kms_encrypted"
POLICY = "ecr.repository_policy_not_public"
UID = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"


def repository(encryption_type="AES256", key_arn=None, policy=()):
    evidence = {"encrypted": True, "encryption_type": encryption_type, POLICY_EVIDENCE: list(policy)}
    return make_record("ecr.repository", uid=UID, name="web", key_arn=key_arn, **evidence)


def open_to_everyone(sid="Pull", condition=None):
    return {"sid": sid, "actions": ["ecr:BatchGetImage"], "condition": condition or {}}


def test_repository_on_the_aes256_default_fails_as_aws_owned():
    result = run_check(ENCRYPTION, repository())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.AWS_OWNED)
    assert "AES256" in result.reason


def test_repository_with_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(ENCRYPTION, repository("KMS", key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_repository_on_the_aws_managed_ecr_key_passes_with_that_owner():
    result = run_check(ENCRYPTION, repository("KMS", "alias/aws/ecr"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_dual_layer_kms_with_another_accounts_key_passes_as_external():
    key = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/shared"
    result = run_check(ENCRYPTION, repository("KMS_DSSE", key))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert "KMS_DSSE" in result.reason


def test_repository_whose_description_is_missing_is_an_error():
    bare = make_record("ecr.repository", uid=UID, name="web")
    assert run_check(ENCRYPTION, bare).status == Status.ERROR


def test_repository_without_policy_passes():
    result = run_check(POLICY, repository())
    assert result.status == Status.PASS
    assert result.reason == "No repository policy statement allows every principal."


def test_repository_open_to_every_principal_fails():
    result = run_check(POLICY, repository(policy=[open_to_everyone()]))
    assert result.status == Status.FAIL
    assert "Pull" in result.reason and "ecr:BatchGetImage" in result.reason


def test_repository_open_to_the_organization_only_passes():
    narrowed = open_to_everyone(condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})
    assert run_check(POLICY, repository(policy=[narrowed])).status == Status.PASS


def test_policy_not_read_is_an_error_not_a_pass():
    record = make_record("ecr.repository", uid=UID, name="web", encrypted=True, encryption_type="AES256")
    assert run_check(POLICY, record).status == Status.ERROR


def test_a_refused_policy_read_errors_the_policy_check_only():
    record = make_record(
        "ecr.repository", uid=UID, name="web", encrypted=True, encryption_type="AES256", **{POLICY_EVIDENCE: None}
    )
    denied = CollectionError("ecr", REGION, "ecr:GetRepositoryPolicy", "AccessDeniedException", "no", UID)
    inventory = make_inventory(record, errors=[denied])
    [policy] = evaluate_check(CATALOG[POLICY], inventory)
    [encryption] = evaluate_check(CATALOG[ENCRYPTION], inventory)
    assert policy.result.status == Status.ERROR
    assert "ecr:GetRepositoryPolicy" in policy.result.reason
    assert encryption.result.status == Status.FAIL
