"""CIS Amazon Web Services Foundations Benchmark v5.0.0: its recommendations about data protection."""

from checks.compliance.base import AT_REST, IDENTITY, IN_TRANSIT, KEYS, LOGGING, PUBLIC_ACCESS, Framework
from checks.compliance.base import requirement as r
from checks.compliance.cis_aws_3_0 import FULL_ADMIN, TRAIL_BUCKET_LOGGING

FRAMEWORK = Framework(
    slug="cis-aws-5.0",
    name="CIS AWS Foundations Benchmark v5.0",
    source="CIS Amazon Web Services Foundations Benchmark v5.0.0",
    requirements=(
        r("1.3", "Ensure no 'root' user account access key exists", IDENTITY, "iam.root_access_keys_absent"),
        r("1.4", "Ensure MFA is enabled for the 'root' user account", IDENTITY, "iam.root_mfa_enabled"),
        r(
            "1.5",
            "Ensure hardware MFA is enabled for the 'root' user account",
            IDENTITY,
            note="Not covered: Posture sees that the root user has MFA, not whether the device is hardware.",
        ),
        r(
            "1.7",
            "Ensure IAM password policy requires minimum length of 14 or greater",
            IDENTITY,
            "iam.password_policy_strong",
        ),
        r("1.8", "Ensure IAM password policy prevents password reuse", IDENTITY, "iam.password_policy_strong"),
        r(
            "1.9",
            "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
            IDENTITY,
            "iam.user_console_mfa",
        ),
        r("1.11", "Ensure credentials unused for 45 days or more are disabled", IDENTITY),
        r("1.12", "Ensure there is only one active access key for any single IAM user", IDENTITY),
        r("1.13", "Ensure access keys are rotated every 90 days or less", IDENTITY, "iam.access_keys_rotated_90d"),
        r(
            "1.15",
            "Ensure IAM policies that allow full *:* administrative privileges are not attached",
            IDENTITY,
            "iam.no_full_admin_custom_policies",
            note=FULL_ADMIN,
        ),
        r("1.19", "Ensure that IAM External Access Analyzer is enabled for all regions", PUBLIC_ACCESS),
        r("2.1.1", "Ensure S3 Bucket Policy is set to deny HTTP requests", IN_TRANSIT, "s3.bucket_secure_transport"),
        r("2.1.2", "Ensure MFA Delete is enabled on S3 buckets", AT_REST),
        r(
            "2.1.4",
            "Ensure that S3 is configured with 'Block Public Access' enabled",
            PUBLIC_ACCESS,
            "s3.bucket_public_access_blocked",
        ),
        r(
            "2.2.1",
            "Ensure that encryption-at-rest is enabled for RDS instances",
            AT_REST,
            "rds.instance_storage_encrypted",
        ),
        r(
            "2.2.3",
            "Ensure that RDS instances are not publicly accessible",
            PUBLIC_ACCESS,
            "rds.instance_not_publicly_accessible",
        ),
        r("2.3.1", "Ensure that encryption is enabled for EFS file systems", AT_REST, "efs.file_system_encrypted"),
        r("3.1", "Ensure CloudTrail is enabled in all regions", LOGGING, "cloudtrail.multi_region_logging"),
        r("3.2", "Ensure CloudTrail log file validation is enabled", LOGGING, "cloudtrail.log_file_validation"),
        r("3.3", "Ensure AWS Config is enabled in all regions", LOGGING, "config.recorder_enabled"),
        r(
            "3.4",
            "Ensure that server access logging is enabled on the CloudTrail S3 bucket",
            LOGGING,
            note=TRAIL_BUCKET_LOGGING,
        ),
        r(
            "3.5",
            "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
            LOGGING | AT_REST,
            "cloudtrail.kms_encrypted",
        ),
        r("3.6", "Ensure rotation for customer-created symmetric CMKs is enabled", KEYS, "kms.key_rotation_enabled"),
        r("3.7", "Ensure VPC flow logging is enabled in all VPCs", LOGGING, "vpc.flow_logs_enabled"),
        r("3.8", "Ensure that object-level logging for write events is enabled for S3 buckets", LOGGING),
        r("3.9", "Ensure that object-level logging for read events is enabled for S3 buckets", LOGGING),
        r("4.3", "Ensure usage of the 'root' account is monitored", LOGGING),
        r("4.7", "Ensure disabling or scheduled deletion of customer created CMKs is monitored", LOGGING | KEYS),
        r("4.8", "Ensure S3 bucket policy changes are monitored", LOGGING),
        r("5.1.1", "Ensure EBS volume encryption is enabled in all regions", AT_REST, "ebs.encryption_by_default"),
    ),
)
