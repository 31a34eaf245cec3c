"""redshift checks: cluster encryption with whose key, require_ssl in its parameter group, public accessibility."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

GROUP = f"arn:aws:redshift:{REGION}:{ACCOUNT}:parametergroup:warehouse"


def cluster(encrypted=True, key_arn=None, **evidence):
    evidence = {"parameter_group": GROUP, "parameter_apply_status": "in-sync", **evidence}
    return make_record("redshift.cluster", name="warehouse", key_arn=key_arn, encrypted=encrypted, **evidence)


def group(parameters=None, read=True):
    evidence = {"parameters": parameters or {}} if read else {}
    return make_record("redshift.parameter_group", uid=GROUP, name="warehouse", description="", **evidence)


# --- redshift.cluster_encrypted ----------------------------------------------------------------------------------


def test_unencrypted_cluster_fails():
    result = run_check("redshift.cluster_encrypted", cluster(encrypted=False))
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)


def test_cluster_with_customer_key_passes_as_customer_managed():
    key = make_key("k1")
    result = run_check("redshift.cluster_encrypted", cluster(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)
    assert key.uid in result.reason


def test_cluster_encrypted_without_a_key_uses_the_aws_owned_default():
    result = run_check("redshift.cluster_encrypted", cluster())
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_OWNED)


def test_cluster_with_the_aws_redshift_key_is_aws_managed():
    key = make_key("rs-default", manager="AWS", aliases=["alias/aws/redshift"])
    result = run_check("redshift.cluster_encrypted", cluster(key_arn=key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_cluster_with_another_accounts_key_is_external():
    key_arn = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/theirs"
    result = run_check("redshift.cluster_encrypted", cluster(key_arn=key_arn))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)


def test_cluster_encrypted_through_an_hsm_is_customer_managed():
    result = run_check("redshift.cluster_encrypted", cluster(hsm=True))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)
    assert "hardware security module" in result.reason


def test_cluster_whose_encryption_was_not_collected_is_an_error():
    record = make_record("redshift.cluster", name="warehouse")
    assert run_check("redshift.cluster_encrypted", record).status == Status.ERROR


# --- redshift.cluster_require_ssl --------------------------------------------------------------------------------


def test_require_ssl_true_passes():
    result = run_check("redshift.cluster_require_ssl", cluster(), group({"require_ssl": "true"}))
    assert result.status == Status.PASS
    assert "parameter group warehouse" in result.reason


def test_require_ssl_false_fails():
    assert run_check("redshift.cluster_require_ssl", cluster(), group({"require_ssl": "false"})).status == Status.FAIL


def test_pending_reboot_is_said_in_the_reason():
    record = cluster(parameter_apply_status="pending-reboot")
    result = run_check("redshift.cluster_require_ssl", record, group({"require_ssl": "true"}))
    assert result.status == Status.PASS
    assert "pending-reboot" in result.reason


def test_group_whose_parameters_were_not_read_is_an_error():
    assert run_check("redshift.cluster_require_ssl", cluster(), group(read=False)).status == Status.ERROR


def test_group_that_does_not_report_require_ssl_is_an_error():
    assert run_check("redshift.cluster_require_ssl", cluster(), group({})).status == Status.ERROR


def test_cluster_without_a_parameter_group_is_an_error():
    record = cluster(parameter_group=None)
    assert run_check("redshift.cluster_require_ssl", record).status == Status.ERROR


# --- redshift.cluster_not_publicly_accessible -----------------------------------------------------------------------


def test_publicly_accessible_cluster_fails():
    assert run_check("redshift.cluster_not_publicly_accessible", cluster(publicly_accessible=True)).status == (
        Status.FAIL
    )


def test_private_cluster_passes():
    assert run_check("redshift.cluster_not_publicly_accessible", cluster(publicly_accessible=False)).status == (
        Status.PASS
    )


def test_cluster_without_the_flag_collected_is_an_error():
    assert run_check("redshift.cluster_not_publicly_accessible", cluster()).status == Status.ERROR
