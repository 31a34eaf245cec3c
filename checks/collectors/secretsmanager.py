"""Secrets Manager: secrets and which KMS key protects them (ListSecrets returns all we need)."""

from checks.collectors.base import Collected, pages, tags_dict
from checks.inventory import Record

SERVICE = "secretsmanager"
SCOPE = "regional"
IAM_ACTIONS = {"ListSecrets": "secretsmanager:ListSecrets"}
# Secrets Manager always encrypts; a secret that names no key uses the AWS-managed aws/secretsmanager key.
DEFAULT_KEY = "alias/aws/secretsmanager"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    secretsmanager = ctx.client(SERVICE, region)
    with collected.capture(api="secretsmanager:ListSecrets"):
        for secret in pages(secretsmanager, "list_secrets", "SecretList"):
            collected.add(secret_record(region, secret))
    return collected


def secret_record(region, secret):
    evidence = {"encrypted": True}
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
