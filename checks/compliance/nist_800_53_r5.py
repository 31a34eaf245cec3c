"""NIST SP 800-53 Revision 5: the controls (and enhancements) about data protection."""

from checks.compliance.base import AT_REST, IDENTITY, IN_TRANSIT, KEYS, LOGGING, PUBLIC_ACCESS, Framework
from checks.compliance.base import requirement as r
from checks.compliance.groups import (
    ACTIVITY_LOGS,
    CUSTOMER_MANAGED_KEYS,
    ENCRYPTED_AT_REST,
    KEY_MANAGEMENT,
    NOT_PUBLIC,
    NOT_PUBLICLY_REACHABLE,
    TLS_AT_THE_EDGE,
    TLS_INSIDE,
)

TLS_VERSIONS = (
    "s3.bucket_min_tls_12",
    "elbv2.listener_tls12",
    "cloudfront.distribution_tls12",
    "opensearch.domain_https_tls12",
)

FRAMEWORK = Framework(
    slug="nist-800-53-r5",
    name="NIST SP 800-53 rev. 5",
    source="NIST Special Publication 800-53 Revision 5, Security and Privacy Controls for Information Systems "
    "and Organizations",
    requirements=(
        r(
            "AC-3",
            "Access Enforcement",
            PUBLIC_ACCESS | KEYS,
            *NOT_PUBLIC,
            "kms.key_policy_not_public",
            note="Evidence that resource and key policies do not grant access to everyone; it does not show "
            "that each grant is approved.",
        ),
        r(
            "AC-6",
            "Least Privilege",
            IDENTITY,
            "iam.no_full_admin_custom_policies",
            note="Evidence only against the broadest grant (every action on every resource) in customer-managed "
            "policies.",
        ),
        r(
            "AU-2",
            "Event Logging",
            LOGGING,
            *ACTIVITY_LOGS,
        ),
        r("AU-6", "Audit Record Review, Analysis, and Reporting", LOGGING),
        r(
            "AU-9",
            "Protection of Audit Information",
            LOGGING | AT_REST,
            "cloudtrail.bucket_not_public",
            "cloudtrail.kms_encrypted",
            "logs.log_group_kms_encrypted",
        ),
        r("AU-9(3)", "Cryptographic Protection", LOGGING, "cloudtrail.log_file_validation"),
        r(
            "AU-11",
            "Audit Record Retention",
            LOGGING,
            "logs.log_group_retention_adequate",
            note="Measured against POSTURE_LOG_RETENTION_MIN_DAYS (365 days by default), not the organization's "
            "own retention period.",
        ),
        r("AU-12", "Audit Record Generation", LOGGING, *ACTIVITY_LOGS),
        r(
            "IA-2",
            "Identification and Authentication (Organizational Users)",
            IDENTITY,
            "iam.root_access_keys_absent",
            note="Evidence only that the root user, whose use no individual can be held to, has no access keys.",
        ),
        r("IA-2(1)", "Multi-factor Authentication to Privileged Accounts", IDENTITY, "iam.root_mfa_enabled"),
        r(
            "IA-2(2)",
            "Multi-factor Authentication to Non-privileged Accounts",
            IDENTITY,
            "iam.user_console_mfa",
            note="Console sign-in only; programmatic access with access keys is not multi-factor here.",
        ),
        r(
            "IA-5",
            "Authenticator Management",
            IDENTITY | IN_TRANSIT,
            "iam.access_keys_rotated_90d",
            "hygiene.no_credentials_in_urls",
        ),
        r("IA-5(1)", "Password-based Authentication", IDENTITY, "iam.password_policy_strong"),
        r("SC-7", "Boundary Protection", PUBLIC_ACCESS, *NOT_PUBLICLY_REACHABLE),
        r("SC-8", "Transmission Confidentiality and Integrity", IN_TRANSIT, *TLS_AT_THE_EDGE, *TLS_INSIDE),
        r("SC-8(1)", "Cryptographic Protection", IN_TRANSIT, *TLS_AT_THE_EDGE, *TLS_INSIDE),
        r(
            "SC-12",
            "Cryptographic Key Establishment and Management",
            KEYS | AT_REST,
            *KEY_MANAGEMENT,
            *CUSTOMER_MANAGED_KEYS,
        ),
        r(
            "SC-13",
            "Cryptographic Protection",
            IN_TRANSIT,
            *TLS_VERSIONS,
            note="Evidence that endpoints refuse protocol versions older than TLS 1.2; ciphers are not examined.",
        ),
        r("SC-28", "Protection of Information at Rest", AT_REST, *ENCRYPTED_AT_REST),
        r("SC-28(1)", "Cryptographic Protection", AT_REST, *ENCRYPTED_AT_REST),
        r("SI-4", "System Monitoring", LOGGING),
    ),
)
