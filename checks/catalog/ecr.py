"""ECR repositories: images encrypted with a KMS key, and no repository policy open to everyone."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed
from checks.catalog.policies import policy_verdict

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "ecr.repository_kms_encrypted",
    title="ECR repository encrypts its images with a KMS key",
    area=Area.AT_REST,
    severity=Severity.LOW,
    resource_type="ecr.repository",
    needs=("ecr:DescribeRepositories",),
    rationale=f"{GUIDANCE} ECR's default, AES-256, encrypts image layers with S3-managed keys that AWS owns: "
    "nobody can restrict, audit or revoke their use. With KMS (or dual-layer KMS_DSSE) every pull is a logged use "
    "of a KMS key whose policy decides who can decrypt, so a repository holding images with embedded "
    "configuration or data stays under your control. A repository's encryption is fixed when it is created.",
    remediation="ECR cannot change a repository's encryption. Console: ECR › Create repository › Encryption "
    "settings › KMS, with a customer-managed key; push the images to it and delete the old repository. Set a "
    "repository creation template so new repositories get KMS by default. CLI: aws ecr create-repository "
    "--repository-name NAME --encryption-configuration encryptionType=KMS,kmsKey=KEY_ARN",
)
def repository_kms_encrypted(repository, inventory):
    kind = repository.evidence.get("encryption_type")
    if kind is None:
        return errored("The encryption of this repository was not collected.")
    key = repository.key_arn
    if not key:
        return failed(
            f"Repository uses {kind}, ECR's default encryption with S3-managed keys (AWS-owned).",
            key_owner=KeyOwner.AWS_OWNED,
        )
    owner = inventory.key_owner(key, repository.region)
    return passed(f"Repository uses {kind} encryption with KMS key {key} ({KeyOwner(owner).label}).", key_owner=owner)


@check(
    "ecr.repository_policy_not_public",
    title="ECR repository policy does not open the repository to everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="ecr.repository",
    needs=("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"),
    rationale="AWS data-protection guidance: give each identity only the permissions it needs. A repository "
    'policy that allows Principal "*" without a condition naming your accounts or organisation lets every AWS '
    "account pull its images — and with them whatever code, configuration or credentials were built into them — "
    "or push over them when write actions are allowed.",
    remediation="Console: ECR › Repositories › the repository › Permissions › Edit policy JSON: name the accounts "
    "or add a condition such as aws:PrincipalOrgID, or delete the statement. CLI: aws ecr set-repository-policy "
    "--repository-name NAME --policy-text file://policy.json (or aws ecr delete-repository-policy "
    "--repository-name NAME)",
)
def repository_policy_not_public(repository, inventory):
    return policy_verdict(repository, "Repository policy")
