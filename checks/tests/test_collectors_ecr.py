"""ECR collector against the moto server: each repository's encryption and the open statements of its policy."""

import json

from checks.catalog.policies import POLICY_EVIDENCE
from checks.collectors import ecr
from checks.collectors.base import ScanContext
from checks.tests.stubs import ACCOUNT, stubbed
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, ecr.collect(ctx, region)


def public_pull_policy(sid="AnyonePulls"):
    statement = {"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_repositories_record_encryption_key_and_policy(aws):
    client = aws.client("ecr")
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    default = client.create_repository(repositoryName="web")["repository"]
    kms = client.create_repository(
        repositoryName="payments/api", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key_arn}
    )["repository"]
    client.set_repository_policy(repositoryName="web", policyText=public_pull_policy())

    ctx, collected = scan(aws)

    repositories = {record.uid: record for record in collected.records}
    assert set(repositories) == {default["repositoryArn"], kms["repositoryArn"]}
    web = repositories[default["repositoryArn"]]
    assert (web.type, web.name, web.key_arn) == ("ecr.repository", "web", None)
    assert web.evidence == {
        "encrypted": True,
        "encryption_type": "AES256",
        POLICY_EVIDENCE: [{"sid": "AnyonePulls", "actions": ["ecr:BatchGetImage"], "condition": {}}],
    }
    api = repositories[kms["repositoryArn"]]
    assert api.uid == f"arn:aws:ecr:us-east-1:{aws.account_id}:repository/payments/api"
    assert api.key_arn == key_arn
    assert api.evidence[POLICY_EVIDENCE] == []  # no policy at all: RepositoryPolicyNotFound is not an error
    assert collected.errors == []
    assert sorted(call[2] for call in ctx.call_log.calls) == [
        "DescribeRepositories",
        "GetRepositoryPolicy",
        "GetRepositoryPolicy",
    ]


def test_kms_repository_naming_no_key_gets_the_aws_managed_ecr_key():
    record = ecr.repository_record(
        "us-east-1",
        {
            "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/r",
            "repositoryName": "r",
            "encryptionConfiguration": {"encryptionType": "KMS"},
        },
        [],
    )
    assert record.key_arn == "alias/aws/ecr"


def test_repositories_are_read_across_pages():
    """moto ignores maxResults on DescribeRepositories: the Stubber serves two pages."""
    repositories = [
        {
            "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/r{n}",
            "repositoryName": f"r{n}",
            "registryId": ACCOUNT,
        }
        for n in range(2)
    ]
    with stubbed("ecr") as (ctx, stubber):
        stubber.add_response("describe_repositories", {"repositories": repositories[:1], "nextToken": "2"}, {})
        stubber.add_response("describe_repositories", {"repositories": repositories[1:]}, {"nextToken": "2"})
        for repository in repositories:
            stubber.add_client_error(
                "get_repository_policy",
                "RepositoryPolicyNotFoundException",
                expected_params={"registryId": ACCOUNT, "repositoryName": repository["repositoryName"]},
            )
        collected = ecr.collect(ctx, "us-east-1")
    assert [record.name for record in collected.records] == ["r0", "r1"]
    assert all(record.evidence[POLICY_EVIDENCE] == [] for record in collected.records)
    assert collected.errors == []


def test_a_refused_policy_is_an_error_on_that_repository_with_its_policy_unknown(aws):
    arn = aws.client("ecr").create_repository(repositoryName="web")["repository"]["repositoryArn"]
    deny(aws.session, "ecr", "GetRepositoryPolicy")
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("ecr:GetRepositoryPolicy", "AccessDenied", arn)
    [record] = collected.records
    assert record.evidence[POLICY_EVIDENCE] is None
    assert record.evidence["encryption_type"] == "AES256"


def test_a_malformed_policy_is_an_error_not_a_pass(aws):
    client = aws.client("ecr")
    arn = client.create_repository(repositoryName="web")["repository"]["repositoryArn"]
    aws.session.events.register(
        "after-call.ecr.GetRepositoryPolicy",
        lambda parsed, **kwargs: parsed.update(policyText="[1, 2]"),
    )
    client.set_repository_policy(repositoryName="web", policyText=public_pull_policy())
    _ctx, collected = scan(aws)
    [error] = collected.errors
    assert (error.api, error.code, error.resource_uid) == ("ecr:GetRepositoryPolicy", "MalformedResponse", arn)


def test_denied_listing_is_a_gap(aws):
    deny(aws.session, "ecr", "DescribeRepositories")
    _ctx, collected = scan(aws, "eu-west-1")
    [error] = collected.errors
    assert (error.api, error.region, error.resource_uid) == ("ecr:DescribeRepositories", "eu-west-1", "")
    assert collected.records == []
