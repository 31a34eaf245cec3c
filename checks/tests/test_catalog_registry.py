"""The catalog is a public interface: its ids are exactly DESIGN.md's, each fully described."""

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import Area, Severity

DESIGN_IDS = {
    "s3.bucket_default_encryption",
    "s3.bucket_customer_managed_key",
    "ebs.encryption_by_default",
    "ebs.volume_encrypted",
    "rds.instance_storage_encrypted",
    "dynamodb.table_customer_managed_key",
    "sqs.queue_encrypted",
    "sns.topic_encrypted",
    "logs.log_group_kms_encrypted",
    "secretsmanager.secret_customer_managed_key",
    "efs.file_system_encrypted",
    "kms.key_rotation_enabled",
    "kms.key_in_use_unusable",
    "kms.key_pending_deletion",
    "kms.key_policy_not_public",
    "kms.external_account_key",
    "s3.bucket_secure_transport",
    "s3.bucket_min_tls_12",
    "elbv2.listener_tls12",
    "elbv2.listener_https_only",
    "cloudfront.distribution_tls12",
    "hygiene.no_credentials_in_urls",
    "cloudtrail.multi_region_logging",
    "cloudtrail.log_file_validation",
    "cloudtrail.kms_encrypted",
    "cloudtrail.bucket_not_public",
    "s3.bucket_server_access_logging",
    "vpc.flow_logs_enabled",
    "config.recorder_enabled",
    "logs.log_group_retention_adequate",
    "elbv2.access_logs_enabled",
    "iam.root_mfa_enabled",
    "iam.root_access_keys_absent",
    "iam.user_console_mfa",
    "iam.access_keys_rotated_90d",
    "iam.password_policy_strong",
    "iam.no_full_admin_custom_policies",
    "hygiene.no_sensitive_identifiers",
    "proton.template_customer_managed_key",
}


def test_registered_ids_equal_the_design_list():
    assert set(CATALOG) == DESIGN_IDS


@pytest.mark.parametrize("check_id", sorted(DESIGN_IDS))
def test_every_check_is_fully_described(check_id):
    check = CATALOG[check_id]
    assert check.title and check.rationale and check.remediation
    assert check.area in Area.values and check.severity in Severity.values
    assert "aws " in check.remediation.lower(), "remediation names an AWS CLI command"
    # Only checks that judge every collected record may read no particular API.
    assert check.needs or check.resource_type == "*"
    assert all(":" in need for need in check.needs)
    assert check.fn.__name__ == check_id.split(".", 1)[1]
