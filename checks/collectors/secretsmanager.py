"""Secrets Manager: secrets, which KMS key protects them (from ListSecrets) and who their resource policy lets in
(GetResourcePolicy, one call per secret: no listing carries it). Never the secret's value."""

from checks.catalog.policies import POLICY_EVIDENCE, open_statements
from checks.collectors.base import Collected, each, pages, tags_dict
from checks.inventory import Record

SERVICE = "secretsmanager"
SCOPE = "regional"
IAM_ACTIONS = {"ListSecrets": "secretsmanager:ListSecrets", "GetResourcePolicy": "secretsmanager:GetResourcePolicy"}
# Secrets Manager always encrypts; a secret that names no key uses the AWS-managed aws/secretsmanager key.
DEFAULT_KEY = "alias/aws/secretsmanager"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    secretsmanager = ctx.client(SERVICE, region)
    secrets = []
    with collected.capture(api="secretsmanager:ListSecrets"):
        # Kept page by page: a listing that fails on a later page still yields the secrets already listed.
        for secret in pages(secretsmanager, "list_secrets", "SecretList"):
            secrets.append(secret)

    def read(secret):
        policy = None
        with collected.capture(resource_uid=secret["ARN"], api="secretsmanager:GetResourcePolicy"):
            # No ResourcePolicy in the answer: the secret has none (only its account's IAM policies reach it).
            policy = open_statements(secretsmanager.get_resource_policy(SecretId=secret["ARN"]).get("ResourcePolicy"))
        return secret_record(region, secret, policy)

    for record in each(secrets, read):
        collected.add(record)
    return collected


def secret_record(region, secret, policy):
    evidence = {"encrypted": True, POLICY_EVIDENCE: policy}
    if secret.get("Description"):
        evidence["description"] = secret["Description"]
    return Record(
        uid=secret["ARN"],
        type="secretsmanager.secret",
        region=region,
        name=secret.get("Name", ""),
        evidence=evidence,
        key_arn=secret.get("KmsKeyId") or DEFAULT_KEY,
        tags=tags_dict(secret.get("Tags")),
    )
