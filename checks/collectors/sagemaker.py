"""SageMaker: notebook instances and the KMS key of their ML storage volume."""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "sagemaker"
SCOPE = "regional"
IAM_ACTIONS = {
    "ListNotebookInstances": "sagemaker:ListNotebookInstances",
    "DescribeNotebookInstance": "sagemaker:DescribeNotebookInstance",
}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    sagemaker = ctx.client(SERVICE, region)
    listed = []
    with collected.capture(api="sagemaker:ListNotebookInstances"):
        listed = list(pages(sagemaker, "list_notebook_instances", "NotebookInstances"))
    for summary in listed:
        # The listing names no key: DescribeNotebookInstance is the one call that does.
        described = None
        with collected.capture(resource_uid=summary["NotebookInstanceArn"], api="sagemaker:DescribeNotebookInstance"):
            described = sagemaker.describe_notebook_instance(NotebookInstanceName=summary["NotebookInstanceName"])
        collected.add(notebook_record(region, summary, described))
    return collected


def notebook_record(region, summary, described):
    record = {
        "uid": summary["NotebookInstanceArn"],
        "type": "sagemaker.notebook_instance",
        "region": region,
        "name": summary["NotebookInstanceName"],
    }
    if described is None:
        return Record(**record)
    # Without KmsKeyId SageMaker still encrypts the volumes, with a key of its own (AWS-owned, no key id).
    evidence = {"encrypted": True, "status": described.get("NotebookInstanceStatus")}
    return Record(**record, evidence=evidence, key_arn=described.get("KmsKeyId") or None)
