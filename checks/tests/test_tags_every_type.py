"""Every resource type the collectors produce: a tag holding an account number, an e-mail address and an access
key id reaches the resource's record and fails hygiene.no_sensitive_identifiers.

Built on the truth estate, which holds every type the collectors produce (the end-to-end test needs a verdict
for each check), so a type a new collector adds is covered here as soon as it is in the estate. A type that
cannot carry tags, or whose tags moto's tagging API does not list, is named below with the reason.
"""

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate_check
from checks.inventory import GLOBAL, Inventory
from checks.scanning import collect_all
from checks.tests import truth_estate
from checks.tests.builders import NOW

SENSITIVE = {"billing-account": "210987654321", "contact": "data-owner@example.com", "ci-key": "AKIAIOSFODNN7EXAMPLE"}
NOT_TAGGABLE = {"sns.subscription": "AWS cannot tag SNS subscriptions"}
# AWS's GetResources lists every taggable type (IAM users and roles aside); moto's lists none of these.
MOTO_UNLISTED = {
    "elbv2.listener",
    "cloudtrail.trail",
    "kinesis.stream",
    "opensearch.domain",
    "ecr.repository",
    "eks.cluster",
    "rds.db_parameter_group",
    "rds.db_cluster_parameter_group",
}


# Where moto's TagResources does not reach a type, the service's own tag call (as an owner would use it).
def tag_queue(client, record):
    client.tag_queue(QueueUrl=client.get_queue_url(QueueName=record.name)["QueueUrl"], Tags=SENSITIVE)


NATIVE = {
    "iam.user": ("iam", lambda client, record: client.tag_user(UserName=record.name, Tags=tag_list())),
    "iam.role": ("iam", lambda client, record: client.tag_role(RoleName=record.name, Tags=tag_list())),
    "iam.policy": ("iam", lambda client, record: client.tag_policy(PolicyArn=record.uid, Tags=tag_list())),
    "sqs.queue": ("sqs", tag_queue),
    "elbv2.load_balancer": (
        "elbv2",
        lambda client, record: client.add_tags(ResourceArns=[record.uid], Tags=tag_list()),
    ),
    "elbv2.listener": ("elbv2", lambda client, record: client.add_tags(ResourceArns=[record.uid], Tags=tag_list())),
    "cloudtrail.trail": (
        "cloudtrail",
        lambda client, record: client.add_tags(ResourceId=record.uid, TagsList=tag_list()),
    ),
    "kinesis.stream": (
        "kinesis",
        lambda client, record: client.add_tags_to_stream(StreamARN=record.uid, Tags=SENSITIVE),
    ),
    "opensearch.domain": ("opensearch", lambda client, record: client.add_tags(ARN=record.uid, TagList=tag_list())),
    "ecr.repository": ("ecr", lambda client, record: client.tag_resource(resourceArn=record.uid, tags=tag_list())),
    "eks.cluster": ("eks", lambda client, record: client.tag_resource(resourceArn=record.uid, tags=SENSITIVE)),
    # moto's TagResources refuses Redshift ARNs; its DescribeClusters / DescribeClusterParameterGroups carry the tags.
    "redshift.cluster": (
        "redshift",
        lambda client, record: client.create_tags(ResourceName=record.uid, Tags=tag_list()),
    ),
    "redshift.parameter_group": (
        "redshift",
        lambda client, record: client.create_tags(ResourceName=record.uid, Tags=tag_list()),
    ),
}


def prod_inventory(estate):
    ctx = ScanContext(estate.sessions[estate.prod], estate.prod, truth_estate.REGIONS, truth_estate.HOME)
    records, errors = collect_all(ctx)
    return Inventory(estate.prod, truth_estate.REGIONS, NOW, records, errors)


def tag(estate, record):
    """Tag one resource the way its owner would: the tagging API in its region, else the service's own call."""
    region = truth_estate.HOME if record.region == GLOBAL else record.region
    if record.type in NATIVE:
        service, tag_it = NATIVE[record.type]
        tag_it(estate.client(estate.prod, service, region), record)
        return True
    tagging = estate.client(estate.prod, "resourcegroupstaggingapi", region)
    return not tagging.tag_resources(ResourceARNList=[record.uid], Tags=SENSITIVE)["FailedResourcesMap"]


def tag_list():
    return [{"Key": key, "Value": value} for key, value in SENSITIVE.items()]


def test_a_sensitive_tag_fails_hygiene_on_every_resource_type(aws):
    estate = truth_estate.build(aws)
    before = prod_inventory(estate)
    resources = [record for record in before.records if record.type not in ("account", "region")]
    assert {"sqs.queue", "dynamodb.table", "sns.topic", "iam.user", "iam.role"} <= {r.type for r in resources}
    untaggable = {record.type for record in resources if record.type not in NOT_TAGGABLE and not tag(estate, record)}
    assert untaggable == set(), "moto could not tag these types: add them to the test's lists, with the reason"

    after = prod_inventory(estate)
    results = {e.record.uid: e.result for e in evaluate_check(CATALOG["hygiene.no_sensitive_identifiers"], after)}
    verdicts, unread = {}, set()
    for record in after.records:
        if record.type in ("account", "region") or record.type in NOT_TAGGABLE:
            continue
        if record.type in MOTO_UNLISTED:
            unread |= {record.type} if record.tags.get("contact") != SENSITIVE["contact"] else set()
            continue
        verdicts.setdefault(record.type, set()).add((record.tags.get("contact"), results[record.uid].status))
    expected = (SENSITIVE["contact"], Status.FAIL)
    wrong = {type_: statuses for type_, statuses in verdicts.items() if statuses != {expected}}
    # (tag value read, hygiene verdict) per type. A tag value of None: the tag never reached the record. Make its
    # collector's uid the ARN the tagging API lists (or, if only moto's tagging API misses the type, name it in
    # MOTO_UNLISTED and tag it with its own service's call in NATIVE).
    assert wrong == {}
    # Still unread on moto (when moto lists them, move them to the checked types above).
    assert unread == MOTO_UNLISTED & {record.type for record in resources}
    assert set(after.errors) == set(before.errors)  # the known moto gaps only, before and after
