"""ECR: private repositories, how their images are encrypted, and who their repository policy lets in."""

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, pages, unless_absent
from checks.inventory import Record

SERVICE = "ecr"
SCOPE = "regional"
IAM_ACTIONS = {
    "DescribeRepositories": "ecr:DescribeRepositories",
    "GetRepositoryPolicy": "ecr:GetRepositoryPolicy",
}
# ECR encrypts every image: AES256 is ECR's default, S3-managed keys (AWS-owned); KMS and KMS_DSSE use a KMS
# key, the AWS-managed aws/ecr key when the repository was created without naming one.
DEFAULT_KMS_KEY = "alias/aws/ecr"
NO_POLICY = "RepositoryPolicyNotFoundException"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    ecr = ctx.client(SERVICE, region)
    repositories = []
    with collected.capture(api="ecr:DescribeRepositories"):
        repositories = list(pages(ecr, "describe_repositories", "repositories"))
    for repository in repositories:
        policy = None  # None: not read (its check says ERROR); []: nothing in it is open to everyone
        with collected.capture(resource_uid=repository["repositoryArn"], api="ecr:GetRepositoryPolicy"):
            policy = open_statements(repository_policy(ecr, repository))
        collected.add(repository_record(region, repository, policy))
    return collected


def repository_policy(ecr, repository):
    """The repository policy's text; None when the repository has none, which is not an error."""
    found = unless_absent(
        NO_POLICY,
        ecr.get_repository_policy,
        registryId=repository["registryId"],
        repositoryName=repository["repositoryName"],
    )
    return found and found.get("policyText")


def repository_record(region, repository, policy):
    encryption = repository.get("encryptionConfiguration") or {}
    kind = encryption.get("encryptionType") or "AES256"
    key = None if kind == "AES256" else encryption.get("kmsKey") or DEFAULT_KMS_KEY
    return Record(
        uid=repository["repositoryArn"],
        type="ecr.repository",
        region=region,
        name=repository["repositoryName"],
        evidence={"encrypted": True, "encryption_type": kind, POLICY_EVIDENCE: policy},
        key_arn=key,
    )
