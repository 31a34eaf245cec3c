"""ebs checks: encryption by default per region, and every volume encrypted (with whose key)."""

from checks.catalog import CATALOG
from checks.catalog.base import KeyOwner, Status
from checks.evaluation import evaluate_check
from checks.inventory import CollectionError, region_uid
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_inventory, make_key, make_record, run_check


def region(**evidence):
    return make_record("region", uid=region_uid(ACCOUNT, REGION), name=REGION, **evidence)


def volume(encrypted=True, key_arn=None):
    return make_record("ec2.volume", name="vol-1", key_arn=key_arn, encrypted=encrypted)


def test_region_with_encryption_by_default_and_customer_key_passes():
    key = make_key("k1")
    result = run_check(
        "ebs.encryption_by_default", region(ebs_encryption_by_default=True, ebs_default_kms_key_id=key.uid), key
    )
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED
    assert key.uid in result.reason


def test_region_with_default_aws_managed_ebs_key_passes_as_aws_managed():
    # AWS answers GetEbsDefaultKmsKeyId with the alias ARN when no key was chosen.
    alias = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ebs"
    result = run_check(
        "ebs.encryption_by_default", region(ebs_encryption_by_default=True, ebs_default_kms_key_id=alias)
    )
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_region_without_encryption_by_default_fails():
    result = run_check("ebs.encryption_by_default", region(ebs_encryption_by_default=False))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED
    assert REGION in result.reason


def test_region_whose_default_key_could_not_be_read_passes_with_unknown_owner():
    # moto (and a role without ec2:GetEbsDefaultKmsKeyId) leaves the key unknown; the setting still decides.
    result = run_check("ebs.encryption_by_default", region(ebs_encryption_by_default=True))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.UNKNOWN


def test_region_without_ebs_evidence_is_an_error_not_a_pass():
    result = run_check("ebs.encryption_by_default", region())
    assert result.status == Status.ERROR


def test_gap_on_the_setting_makes_the_region_an_error_but_default_key_failure_does_not():
    check = CATALOG["ebs.encryption_by_default"]
    key_error = CollectionError("ec2", REGION, "ec2:GetEbsDefaultKmsKeyId", "InternalError", "500")
    inventory = make_inventory(region(ebs_encryption_by_default=True), errors=[key_error])
    [evaluation] = evaluate_check(check, inventory)
    assert evaluation.result.status == Status.PASS
    gap = CollectionError("ec2", REGION, "ec2:GetEbsEncryptionByDefault", "AccessDenied", "denied")
    [evaluation] = evaluate_check(check, make_inventory(errors=[gap]))
    assert evaluation.result.status == Status.ERROR


def test_encrypted_volume_with_customer_managed_key_passes():
    key = make_key("k1")
    result = run_check("ebs.volume_encrypted", volume(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_volume_encrypted_with_moto_default_key_is_aws_managed_by_its_alias():
    # moto makes the aws/ebs key with KeyManager CUSTOMER; the alias is what makes it AWS-managed.
    key = make_key("ebs-default", manager="CUSTOMER", aliases=["alias/aws/ebs"])
    result = run_check("ebs.volume_encrypted", volume(key_arn=key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_volume_encrypted_with_another_accounts_key_is_external():
    foreign = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k9"
    result = run_check("ebs.volume_encrypted", volume(key_arn=foreign))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.EXTERNAL


def test_unencrypted_volume_fails():
    result = run_check("ebs.volume_encrypted", volume(encrypted=False))
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_encrypted_volume_naming_no_key_is_unknown_not_aws_owned():
    result = run_check("ebs.volume_encrypted", volume(key_arn=None))
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.UNKNOWN
