"""SageMaker notebook instances: ML storage volume encrypted with a KMS key."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "sagemaker.notebook_kms_encrypted",
    title="SageMaker notebook instance encrypts its storage volume with a KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="sagemaker.notebook_instance",
    needs=("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance"),
    rationale=f"{GUIDANCE} A notebook instance's ML storage volume keeps its notebooks and the data scientists "
    "copy there (/home/ec2-user/SageMaker). Without a KMS key, SageMaker encrypts it with a system-managed key "
    "nobody can restrict, audit or revoke; with a key of yours, its policy decides who can read the volume and "
    "its snapshots.",
    remediation="A notebook instance's key is chosen when it is created. Console: SageMaker › Notebook instances › "
    "Create notebook instance › Permissions and encryption › Encryption key: a customer-managed KMS key; move the "
    "notebooks across and delete the old instance. CLI: aws sagemaker create-notebook-instance "
    "--notebook-instance-name NAME --instance-type ml.t3.medium --role-arn ROLE_ARN --kms-key-id KEY_ARN",
)
def notebook_kms_encrypted(notebook, inventory):
    if notebook.evidence.get("encrypted") is None:
        return errored("The configuration of this notebook instance was not collected.")
    key = notebook.key_arn
    if not key:
        return failed(
            "Notebook instance names no KMS key: SageMaker encrypts its volumes with a system-managed (AWS-owned) key.",
            key_owner=KeyOwner.AWS_OWNED,
        )
    owner = inventory.key_owner(key, notebook.region)
    return passed(f"Notebook instance volumes are encrypted with KMS key {key} ({KeyOwner(owner).label}).", owner)
