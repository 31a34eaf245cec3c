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


# --- ebs.snapshot_encrypted / ebs.snapshot_not_public --------------------------------------------------------------


def snapshot(encrypted=False, key_arn=None, groups=(), accounts=()):
    return make_record(
        "ec2.snapshot",
        uid=f"arn:aws:ec2:{REGION}:{ACCOUNT}:snapshot/snap-1",
        name="snap-1",
        key_arn=key_arn,
        encrypted=encrypted,
        shared_with_groups=None if groups is None else list(groups),
        shared_with_accounts=list(accounts),
    )


def test_unencrypted_snapshot_fails():
    result = run_check("ebs.snapshot_encrypted", snapshot())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_snapshot_encrypted_with_customer_key_passes():
    key = make_key("k1")
    result = run_check("ebs.snapshot_encrypted", snapshot(encrypted=True, key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_snapshot_encrypted_with_the_aws_ebs_key_is_aws_managed():
    # moto and old accounts: the aws/ebs key with KeyManager AWS (or its alias) is AWS-managed.
    key = make_key("ebs-default", manager="CUSTOMER", aliases=["alias/aws/ebs"])
    result = run_check("ebs.snapshot_encrypted", snapshot(encrypted=True, key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_snapshot_encrypted_with_another_accounts_key_is_external():
    key_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/theirs"
    result = run_check("ebs.snapshot_encrypted", snapshot(encrypted=True, key_arn=key_arn))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_encrypted_snapshot_naming_no_key_is_unknown():
    result = run_check("ebs.snapshot_encrypted", snapshot(encrypted=True))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.UNKNOWN)


def test_snapshot_shared_with_all_is_public():
    result = run_check(
        "ebs.snapshot_not_public", snapshot(groups=["all"]), region(ebs_snapshot_block_public_access="unblocked")
    )
    assert result.status == Status.FAIL
    assert "unblocked" in result.reason


def test_snapshot_shared_with_all_stays_public_under_block_new_sharing():
    # block-new-sharing stops new public sharing only; snapshots already shared stay public.
    blocked_new = region(ebs_snapshot_block_public_access="block-new-sharing")
    assert run_check("ebs.snapshot_not_public", snapshot(groups=["all"]), blocked_new).status == Status.FAIL


def test_snapshot_shared_with_all_is_private_under_block_all_sharing():
    blocked = region(ebs_snapshot_block_public_access="block-all-sharing")
    result = run_check("ebs.snapshot_not_public", snapshot(groups=["all"]), blocked)
    assert result.status == Status.PASS
    assert "treats it as private" in result.reason


def test_snapshot_shared_with_all_where_the_block_state_was_not_read_fails_on_its_permission():
    result = run_check("ebs.snapshot_not_public", snapshot(groups=["all"]))
    assert result.status == Status.FAIL
    assert "could not be read" in result.reason


def test_snapshot_shared_with_named_accounts_is_not_public():
    result = run_check("ebs.snapshot_not_public", snapshot(accounts=[OTHER_ACCOUNT]))
    assert result.status == Status.PASS
    assert "1 named account" in result.reason


def test_private_snapshot_passes():
    assert run_check("ebs.snapshot_not_public", snapshot()).status == Status.PASS


def test_snapshot_whose_permission_was_not_read_is_an_error():
    assert run_check("ebs.snapshot_not_public", snapshot(groups=None)).status == Status.ERROR
