"""RDS: DB instances and whether their storage is encrypted."""

from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record

SERVICE = "rds"
SCOPE = "regional"
IAM_ACTIONS = {"DescribeDBInstances": "rds:DescribeDBInstances"}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    rds = ctx.client(SERVICE, region)
    with collected.capture(api="rds:DescribeDBInstances"):
        for instance in pages(rds, "describe_db_instances", "DBInstances"):
            collected.add(instance_record(region, instance))
    return collected


def instance_record(region, instance):
    return Record(
        uid=instance["DBInstanceArn"],
        type="rds.db_instance",
        region=region,
        name=instance.get("DBInstanceIdentifier", ""),
        evidence={
            "encrypted": bool(instance.get("StorageEncrypted")),
            "engine": instance.get("Engine"),
            "status": instance.get("DBInstanceStatus"),
        },
        key_arn=instance.get("KmsKeyId") or None,
        tags=tags_dict(instance.get("TagList")),
    )
