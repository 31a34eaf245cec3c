"""SOC 2, Trust Services Criteria (2017): the criteria about data protection.

The criteria have no titles; each title here is the criterion's statement.
"""

from checks.compliance.base import AT_REST, DATA_HANDLING, IDENTITY, IN_TRANSIT, KEYS, LOGGING, PUBLIC_ACCESS, Framework
from checks.compliance.base import requirement as r
from checks.compliance.groups import (
    ACTIVITY_LOGS,
    CUSTOMER_MANAGED_KEYS,
    ENCRYPTED_AT_REST,
    KEY_MANAGEMENT,
    MULTI_FACTOR,
    NOT_PUBLIC,
    PROTECTED_AUDIT_TRAIL,
    TLS_AT_THE_EDGE,
    TLS_INSIDE,
)

IAM = (
    "iam.root_access_keys_absent",
    "iam.access_keys_rotated_90d",
    "iam.password_policy_strong",
    "iam.no_full_admin_custom_policies",
)

FRAMEWORK = Framework(
    slug="soc2-2017",
    name="SOC 2 (2017 TSC)",
    source="AICPA 2017 Trust Services Criteria for Security, Availability, Processing Integrity, Confidentiality, "
    "and Privacy",
    requirements=(
        r(
            "CC6.1",
            "The entity implements logical access security software, infrastructure, and architectures over "
            "protected information assets to protect them from security events to meet the entity's objectives.",
            AT_REST | KEYS | IDENTITY,
            *ENCRYPTED_AT_REST,
            *KEY_MANAGEMENT,
            *CUSTOMER_MANAGED_KEYS,
            *MULTI_FACTOR,
            *IAM,
        ),
        r(
            "CC6.6",
            "The entity implements logical access security measures to protect against threats from sources "
            "outside its system boundaries.",
            PUBLIC_ACCESS | IDENTITY,
            *NOT_PUBLIC,
            *MULTI_FACTOR,
        ),
        r(
            "CC6.7",
            "The entity restricts the transmission, movement, and removal of information to authorized internal "
            "and external users and processes, and protects it during transmission, movement, or removal to meet "
            "the entity's objectives.",
            IN_TRANSIT,
            *TLS_AT_THE_EDGE,
            *TLS_INSIDE,
            "hygiene.no_credentials_in_urls",
        ),
        r(
            "CC7.1",
            "To meet its objectives, the entity uses detection and monitoring procedures to identify (1) changes "
            "to configurations that result in the introduction of new vulnerabilities, and (2) susceptibilities "
            "to newly discovered vulnerabilities.",
            LOGGING,
            "config.recorder_enabled",
            note="Evidence that configuration changes are recorded; not that anyone reviews them.",
        ),
        r(
            "CC7.2",
            "The entity monitors system components and the operation of those components for anomalies that are "
            "indicative of malicious acts, natural disasters, and errors affecting the entity's ability to meet "
            "its objectives; anomalies are analyzed to determine whether they represent security events.",
            LOGGING,
            *ACTIVITY_LOGS,
            *PROTECTED_AUDIT_TRAIL,
            "logs.log_group_retention_adequate",
            note="Evidence that the records monitoring needs are written and kept; not that anyone reviews them.",
        ),
        r(
            "CC7.3",
            "The entity evaluates security events to determine whether they could or have resulted in a failure "
            "of the entity to meet its objectives (security incidents) and, if so, takes actions to prevent or "
            "address such failures.",
            LOGGING,
        ),
        r(
            "C1.1",
            "The entity identifies and maintains confidential information to meet the entity's objectives "
            "related to confidentiality.",
            DATA_HANDLING,
            "hygiene.no_sensitive_identifiers",
            note="Evidence only that resource names, descriptions and tags hold no sensitive identifiers.",
        ),
    ),
)
