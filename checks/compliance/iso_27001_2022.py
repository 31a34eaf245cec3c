"""ISO/IEC 27001:2022 Annex A: the controls about data protection."""

from checks.compliance.base import AT_REST, DATA_HANDLING, IDENTITY, IN_TRANSIT, KEYS, LOGGING, PUBLIC_ACCESS, Framework
from checks.compliance.base import requirement as r
from checks.compliance.groups import (
    ACTIVITY_LOGS,
    CUSTOMER_MANAGED_KEYS,
    ENCRYPTED_AT_REST,
    KEY_MANAGEMENT,
    MULTI_FACTOR,
    NOT_PUBLIC,
    NOT_PUBLICLY_REACHABLE,
    PROTECTED_AUDIT_TRAIL,
    TLS_AT_THE_EDGE,
    TLS_INSIDE,
)

FRAMEWORK = Framework(
    slug="iso-27001-2022",
    name="ISO/IEC 27001:2022 Annex A",
    source="ISO/IEC 27001:2022, Annex A (information security controls reference)",
    requirements=(
        r(
            "A.5.14",
            "Information transfer",
            IN_TRANSIT,
            note="Not covered: a control of rules and agreements; the encryption of transfers is evidenced under "
            "A.8.24.",
        ),
        r(
            "A.5.15",
            "Access control",
            PUBLIC_ACCESS,
            note="Not covered: a control of rules; resources closed to the public are evidenced under A.8.3.",
        ),
        r(
            "A.5.17",
            "Authentication information",
            IDENTITY | IN_TRANSIT,
            "iam.password_policy_strong",
            "iam.access_keys_rotated_90d",
            "iam.root_access_keys_absent",
            "hygiene.no_credentials_in_urls",
        ),
        r(
            "A.8.2",
            "Privileged access rights",
            IDENTITY,
            "iam.no_full_admin_custom_policies",
            "iam.root_access_keys_absent",
        ),
        r("A.8.3", "Information access restriction", PUBLIC_ACCESS | KEYS, *NOT_PUBLIC, "kms.key_policy_not_public"),
        r("A.8.5", "Secure authentication", IDENTITY, *MULTI_FACTOR),
        r(
            "A.8.12",
            "Data leakage prevention",
            DATA_HANDLING,
            "hygiene.no_sensitive_identifiers",
            note="Evidence only that resource names, descriptions and tags hold no sensitive identifiers.",
        ),
        r(
            "A.8.15",
            "Logging",
            LOGGING,
            *ACTIVITY_LOGS,
            *PROTECTED_AUDIT_TRAIL,
            "logs.log_group_retention_adequate",
        ),
        r("A.8.16", "Monitoring activities", LOGGING),
        r("A.8.20", "Networks security", PUBLIC_ACCESS, *NOT_PUBLICLY_REACHABLE),
        r(
            "A.8.24",
            "Use of cryptography",
            AT_REST | IN_TRANSIT | KEYS,
            *ENCRYPTED_AT_REST,
            *TLS_AT_THE_EDGE,
            *TLS_INSIDE,
            *KEY_MANAGEMENT,
            *CUSTOMER_MANAGED_KEYS,
        ),
    ),
)
