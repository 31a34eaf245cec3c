"""DynamoDB: tables and which key encrypts them (DynamoDB always encrypts; the question is whose key)."""

from checks.collectors.base import Collected, each, pages
from checks.inventory import Record

SERVICE = "dynamodb"
SCOPE = "regional"
IAM_ACTIONS = {"ListTables": "dynamodb:ListTables", "DescribeTable": "dynamodb:DescribeTable"}
# Tags are not collected: ListTagsOfResource would be a second call per table (and is throttled harder),
# and no check reads table tags.


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    dynamodb = ctx.client(SERVICE, region)
    names = []
    with collected.capture(api="dynamodb:ListTables"):
        names = list(pages(dynamodb, "list_tables", "TableNames"))

    def read(name):
        arn = f"arn:aws:dynamodb:{region}:{ctx.account_id}:table/{name}"
        table = None
        with collected.capture(resource_uid=arn, api="dynamodb:DescribeTable"):
            table = dynamodb.describe_table(TableName=name)["Table"]
        # A table whose description failed is still listed, so its checks show ERROR rather than vanish.
        return table_record(arn, region, name, table)

    for record in each(names, read):
        collected.add(record)
    return collected


def table_record(arn, region, name, table):
    if table is None:
        return Record(uid=arn, type="dynamodb.table", region=region, name=name)
    sse = table.get("SSEDescription") or {}
    # No SSEDescription (or SSE being turned off) means the default AWS-owned key: encrypted, no key id.
    uses_kms = sse.get("SSEType") == "KMS" and sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
    return Record(
        uid=table.get("TableArn") or arn,
        type="dynamodb.table",
        region=region,
        name=name,
        evidence={
            "encrypted": True,
            "sse_type": sse.get("SSEType") if uses_kms else None,
            "sse_status": sse.get("Status"),
            "table_status": table.get("TableStatus"),
        },
        key_arn=(sse.get("KMSMasterKeyArn") or None) if uses_kms else None,
    )
