"""Athena workgroups: query results encrypted, with the workgroup's setting enforced on every client."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."
OPTION_LABELS = {
    "SSE_S3": "SSE-S3",
    "SSE_KMS": "SSE-KMS",
    "CSE_KMS": "CSE-KMS",
    "MANAGED": "Athena-managed storage",
    "MANAGED_SSE_KMS": "Athena-managed storage with a KMS key",
}


def encryption_phrase(workgroup, inventory):
    """(phrase, key owner) of how the workgroup encrypts its query results."""
    option = workgroup.evidence.get("results_encryption")
    label = OPTION_LABELS.get(option, option)
    key = workgroup.key_arn
    if not key:
        return f"{label} (an AWS-owned key)", KeyOwner.AWS_OWNED
    owner = inventory.key_owner(key, workgroup.region)
    return f"{label} with KMS key {key} ({KeyOwner(owner).label})", owner


def is_enforced(evidence):
    # Either the workgroup's settings override the client's, or clients may only raise the minimum encryption.
    return evidence.get("enforce_workgroup_configuration") or evidence.get("minimum_encryption_enforced")


@check(
    "athena.workgroup_results_encrypted",
    title="Athena workgroup encrypts query results and enforces it on clients",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="athena.workgroup",
    needs=("athena:ListWorkGroups", "athena:GetWorkGroup"),
    rationale=f"{GUIDANCE} Query results are copies of the data queried, written to S3 as CSV. The workgroup's "
    "encryption setting binds clients only when 'Override client-side settings' (EnforceWorkGroupConfiguration) "
    "or a minimum encryption is on; otherwise any client can send its own result location and no encryption.",
    remediation="Console: Athena › Workgroups › the workgroup › Edit › Query result configuration: 'Encrypt query "
    "results' with SSE-KMS and a customer-managed key, and tick 'Override client-side settings'. CLI: aws athena "
    "update-work-group --work-group NAME --configuration-updates "
    "'EnforceWorkGroupConfiguration=true,ResultConfigurationUpdates={EncryptionConfiguration="
    "{EncryptionOption=SSE_KMS,KmsKey=KEY_ARN}}'",
)
def workgroup_results_encrypted(workgroup, inventory):
    evidence = workgroup.evidence
    if evidence.get("encrypted") is None:
        return errored("The configuration of this workgroup was not collected.")
    if not evidence["encrypted"]:
        return failed("Workgroup does not encrypt query results.", key_owner=KeyOwner.UNENCRYPTED)
    phrase, owner = encryption_phrase(workgroup, inventory)
    if not is_enforced(evidence):
        return failed(
            f"Workgroup encrypts query results with {phrase}, but clients can override it "
            "(EnforceWorkGroupConfiguration is off and no minimum encryption is set).",
            key_owner=owner,
        )
    return passed(f"Workgroup encrypts query results with {phrase} and enforces it on clients.", key_owner=owner)
