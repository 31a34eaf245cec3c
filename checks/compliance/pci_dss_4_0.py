"""PCI DSS v4.0: the requirements about protecting stored and transmitted account data, keys, logs and access.

PCI DSS numbers requirements but gives them no titles; each title here is the requirement's statement,
shortened.
"""

from checks.compliance.base import AT_REST, IDENTITY, IN_TRANSIT, KEYS, LOGGING, PUBLIC_ACCESS, Framework
from checks.compliance.base import requirement as r
from checks.compliance.groups import (
    ACTIVITY_LOGS,
    CUSTOMER_MANAGED_KEYS,
    ENCRYPTED_AT_REST,
    MULTI_FACTOR,
    NOT_PUBLIC,
    TLS_AT_THE_EDGE,
)

WHERE_IS_PAN = (
    "Posture does not know which resources hold account data: it shows the encryption of every data store it "
    "reads, in each account in scope."
)

FRAMEWORK = Framework(
    slug="pci-dss-4.0",
    name="PCI DSS v4.0",
    source="Payment Card Industry Data Security Standard v4.0",
    requirements=(
        r(
            "1.3.1",
            "Inbound traffic to the CDE is restricted to only traffic that is necessary",
            PUBLIC_ACCESS,
            "lambda.function_policy_not_public",
            note="Evidence that functions cannot be invoked by anyone; network rules are not examined.",
        ),
        r(
            "1.4.4",
            "System components that store cardholder data are not directly accessible from untrusted networks",
            PUBLIC_ACCESS,
            *(check for check in NOT_PUBLIC if check != "lambda.function_policy_not_public"),
            note=WHERE_IS_PAN,
        ),
        r("2.2.7", "All non-console administrative access is encrypted using strong cryptography", IN_TRANSIT),
        r(
            "3.5.1",
            "PAN is rendered unreadable anywhere it is stored",
            AT_REST,
            *ENCRYPTED_AT_REST,
            note=WHERE_IS_PAN + " Storage-level encryption alone meets 3.5.1 only for removable media (3.5.1.2).",
        ),
        r(
            "3.6.1",
            "Procedures protect cryptographic keys used to protect stored account data against disclosure and misuse",
            KEYS | AT_REST,
            "kms.key_policy_not_public",
            "kms.external_account_key",
            *CUSTOMER_MANAGED_KEYS,
        ),
        r(
            "3.7.4",
            "Cryptographic keys are changed at the end of their defined cryptoperiod",
            KEYS,
            "kms.key_rotation_enabled",
        ),
        r(
            "3.7.5",
            "Keys are retired, replaced or destroyed when their integrity is weakened or they are no longer needed",
            KEYS,
            "kms.key_pending_deletion",
            "kms.key_in_use_unusable",
        ),
        r(
            "4.2.1",
            "Strong cryptography and security protocols safeguard PAN during transmission over open, public networks",
            IN_TRANSIT,
            *TLS_AT_THE_EDGE,
        ),
        r(
            "7.2.2",
            "Access is assigned based on job classification and function, with the least privileges necessary",
            IDENTITY,
            "iam.no_full_admin_custom_policies",
            note="Evidence only against the broadest grant (every action on every resource) in customer-managed "
            "policies.",
        ),
        r(
            "8.2.2",
            "Group, shared, or generic accounts and shared authentication credentials are used only when necessary",
            IDENTITY,
            "iam.root_access_keys_absent",
            note="Evidence only that the root user, a shared account, has no access keys.",
        ),
        r("8.2.6", "Inactive user accounts are removed or disabled within 90 days of inactivity", IDENTITY),
        r(
            "8.3.2",
            "Strong cryptography renders all authentication factors unreadable during transmission and storage",
            IDENTITY | IN_TRANSIT,
            "hygiene.no_credentials_in_urls",
            note="Evidence only that no configuration URL carries a user name or password in the clear.",
        ),
        r(
            "8.3.6",
            "Passwords are at least 12 characters long and contain both numeric and alphabetic characters",
            IDENTITY,
            "iam.password_policy_strong",
        ),
        r(
            "8.3.7",
            "A new password cannot be the same as any of the last four passwords used",
            IDENTITY,
            "iam.password_policy_strong",
        ),
        r("8.3.9", "Passwords used as the only factor are changed at least once every 90 days", IDENTITY),
        r("8.4.1", "MFA is implemented for all non-console administrative access into the CDE", IDENTITY),
        r(
            "8.4.2",
            "MFA is implemented for all access into the CDE",
            IDENTITY,
            *MULTI_FACTOR,
            note="Console sign-in only; programmatic access with access keys is not multi-factor here.",
        ),
        r(
            "8.6.3",
            "Authentication factors of application and system accounts are protected against misuse",
            IDENTITY,
            "iam.access_keys_rotated_90d",
        ),
        r(
            "10.2.1",
            "Audit logs are enabled and active for all system components and cardholder data",
            LOGGING,
            *ACTIVITY_LOGS,
        ),
        r(
            "10.3.1",
            "Read access to audit log files is limited to those with a job-related need",
            LOGGING | AT_REST,
            "cloudtrail.bucket_not_public",
            "cloudtrail.kms_encrypted",
            "logs.log_group_kms_encrypted",
        ),
        r("10.3.2", "Audit log files are protected to prevent modifications by individuals", LOGGING),
        r(
            "10.3.4",
            "File integrity monitoring or change-detection mechanisms are used on audit logs",
            LOGGING,
            "cloudtrail.log_file_validation",
        ),
        r("10.4.1", "Audit logs are reviewed at least once daily", LOGGING),
        r(
            "10.5.1",
            "Audit log history is retained for at least 12 months, the last three months immediately available",
            LOGGING,
            "logs.log_group_retention_adequate",
            note="Measured against POSTURE_LOG_RETENTION_MIN_DAYS (365 days by default): keep it at 365 or more "
            "for this requirement.",
        ),
    ),
)
