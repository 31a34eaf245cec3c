"""ElastiCache: Valkey / Redis OSS replication groups, their encryption at rest (and whose key) and in transit.

One paginated DescribeReplicationGroups per region holds everything the checks read.
"""

from checks.collectors.base import Collected, pages
from checks.inventory import Record

SERVICE = "elasticache"
SCOPE = "regional"
IAM_ACTIONS = {"DescribeReplicationGroups": "elasticache:DescribeReplicationGroups"}


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    elasticache = ctx.client(SERVICE, region)
    with collected.capture(api="elasticache:DescribeReplicationGroups"):
        for group in pages(elasticache, "describe_replication_groups", "ReplicationGroups"):
            collected.add(replication_group_record(ctx.account_id, region, group))
    return collected


def replication_group_record(account_id, region, group):
    at_rest = bool(group.get("AtRestEncryptionEnabled"))
    evidence = {
        "encrypted": at_rest,
        "transit_encryption": bool(group.get("TransitEncryptionEnabled")),
        # "preferred" (TLS and plain connections: the migration step) or "required"; None where not reported.
        "transit_encryption_mode": group.get("TransitEncryptionMode"),
        "engine": group.get("Engine"),
        "status": group.get("Status"),
    }
    if group.get("Description"):
        evidence["description"] = group["Description"]
    name = group["ReplicationGroupId"]
    return Record(
        uid=group.get("ARN") or f"arn:aws:elasticache:{region}:{account_id}:replicationgroup:{name}",
        type="elasticache.replication_group",
        region=region,
        name=name,
        evidence=evidence,
        # Without KmsKeyId ElastiCache encrypts with its default service-managed key (no key id: AWS-owned).
        key_arn=(group.get("KmsKeyId") or None) if at_rest else None,
    )
