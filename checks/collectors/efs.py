"""EFS: file systems and whether they are encrypted at rest."""

from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record

SERVICE = "efs"
SCOPE = "regional"
IAM_ACTIONS = {"DescribeFileSystems": "elasticfilesystem:DescribeFileSystems"}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    efs = ctx.client(SERVICE, region)
    with collected.capture(api="efs:DescribeFileSystems"):
        for file_system in pages(efs, "describe_file_systems", "FileSystems"):
            collected.add(file_system_record(ctx.account_id, region, file_system))
    return collected


def file_system_record(account_id, region, file_system):
    file_system_id = file_system["FileSystemId"]
    arn = file_system.get("FileSystemArn") or (
        f"arn:aws:elasticfilesystem:{region}:{account_id}:file-system/{file_system_id}"
    )
    return Record(
        uid=arn,
        type="efs.file_system",
        region=region,
        name=file_system.get("Name") or file_system_id,
        evidence={"encrypted": bool(file_system.get("Encrypted")), "state": file_system.get("LifeCycleState")},
        key_arn=file_system.get("KmsKeyId") or None,
        tags=tags_dict(file_system.get("Tags")),
    )
