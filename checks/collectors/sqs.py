"""SQS: queues, how they are encrypted (SSE-SQS with an AWS-owned key, or SSE-KMS) and who their policy lets in."""

from urllib.parse import urlsplit

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, each, pages
from checks.inventory import Record

SERVICE = "sqs"
SCOPE = "regional"
IAM_ACTIONS = {"ListQueues": "sqs:ListQueues", "GetQueueAttributes": "sqs:GetQueueAttributes"}
# One GetQueueAttributes per queue reads the encryption and the access policy together.
ATTRIBUTES = ["QueueArn", "SqsManagedSseEnabled", "KmsMasterKeyId", "Policy"]
# Tags are not collected: ListQueueTags would be a second call per queue and no check reads them.


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    sqs = ctx.client(SERVICE, region)
    urls = []
    with collected.capture(api="sqs:ListQueues"):
        urls = list(pages(sqs, "list_queues", "QueueUrls"))

    def read(url):
        arn = queue_arn(url, region, ctx.account_id)
        attributes = policy = None
        with collected.capture(resource_uid=arn, api="sqs:GetQueueAttributes"):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=ATTRIBUTES)["Attributes"]
            # No Policy attribute: the queue has no access policy (only its account's IAM policies reach it).
            policy = open_statements(attributes.get("Policy"))
        # A queue whose attributes failed is still listed, so its checks show ERROR rather than vanish.
        return queue_record(arn, region, attributes, policy)

    for record in each(urls, read):
        collected.add(record)
    return collected


def queue_arn(url, region, account_id):
    """The queue's ARN from its URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), known before any call."""
    parts = urlsplit(url).path.strip("/").split("/")
    owner, name = (parts[-2], parts[-1]) if len(parts) >= 2 else (account_id, parts[-1])
    return f"arn:aws:sqs:{region}:{owner}:{name}"


def queue_record(arn, region, attributes, policy):
    name = arn.rsplit(":", 1)[-1]
    if attributes is None:
        return Record(uid=arn, type="sqs.queue", region=region, name=name)
    key = attributes.get("KmsMasterKeyId") or None
    sqs_managed = attributes.get("SqsManagedSseEnabled") == "true"
    return Record(
        uid=attributes.get("QueueArn") or arn,
        type="sqs.queue",
        region=region,
        name=name,
        evidence={"encrypted": bool(key) or sqs_managed, "sqs_managed_sse": sqs_managed, POLICY_EVIDENCE: policy},
        key_arn=key,
    )
