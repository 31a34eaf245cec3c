"""SageMaker collector against the moto server: notebook instances and the key of their volumes."""

from checks.collectors import sagemaker
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, sagemaker.collect(ctx, region)


def create(aws, name, **options):
    return aws.client("sagemaker").create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=f"arn:aws:iam::{aws.account_id}:role/sagemaker",
        **options,
    )["NotebookInstanceArn"]


def test_notebooks_record_their_kms_key(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    sealed = create(aws, "research", KmsKeyId=key_arn)
    plain = create(aws, "scratch")
    ctx, collected = scan(aws)
    notebooks = {record.uid: record for record in collected.records}
    assert sealed == f"arn:aws:sagemaker:us-east-1:{aws.account_id}:notebook-instance/research"
    assert notebooks[sealed].type == "sagemaker.notebook_instance"
    assert notebooks[sealed].key_arn == key_arn
    assert notebooks[plain].key_arn is None
    assert notebooks[plain].evidence["encrypted"] is True  # SageMaker's own key: still encrypted
    assert sorted(call[2] for call in ctx.call_log.calls) == [
        "DescribeNotebookInstance",
        "DescribeNotebookInstance",
        "ListNotebookInstances",
    ]


def test_notebooks_are_read_across_pages(aws):
    for number in range(3):
        create(aws, f"nb-{number}")
    aws.session.events.register(
        "provide-client-params.sagemaker.ListNotebookInstances", lambda params, **kwargs: params.update(MaxResults=2)
    )
    ctx, collected = scan(aws)
    assert sorted(record.name for record in collected.records) == ["nb-0", "nb-1", "nb-2"]
    assert [call[2] for call in ctx.call_log.calls].count("ListNotebookInstances") == 2


def test_a_notebook_that_could_not_be_described_is_listed_with_its_error(aws):
    arn = create(aws, "research")
    deny(aws.session, "sagemaker", "DescribeNotebookInstance")
    _ctx, collected = scan(aws)
    [record] = collected.records
    [error] = collected.errors
    assert record.uid == error.resource_uid == arn
    assert record.evidence == {}


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "sagemaker", "ListNotebookInstances")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("sagemaker:ListNotebookInstances", "eu-west-1", "")
