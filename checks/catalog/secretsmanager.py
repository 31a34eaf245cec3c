"""Secrets Manager secrets: encrypted with a customer-managed key rather than aws/secretsmanager, and a resource
policy that does not open them to everyone."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    Severity,
    check,
    customer_managed_key_verdict,
    errored,
)
from checks.catalog.policies import ACCESS_GUIDANCE, PUBLIC_RULE, policy_verdict


@check(
    "secretsmanager.secret_customer_managed_key",
    title="Secret is encrypted with a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="secretsmanager.secret",
    needs=("secretsmanager:ListSecrets",),
    rationale='AWS data-protection guidance: prefer keys you own and manage ("If you supply customer owned and '
    'managed KMS key, all customer data is encrypted using the customer provided key"). With the AWS-managed '
    "aws/secretsmanager key, anyone the account lets call GetSecretValue can decrypt; a customer-managed key "
    "adds a key policy you control, can be shared across accounts, and its use is audited separately. "
    f"{EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="Console: Secrets Manager › the secret › Overview › Edit encryption key: choose a customer-managed "
    "key, then rotate the secret so the current version is re-encrypted. CLI: aws secretsmanager update-secret "
    "--secret-id SECRET_ARN --kms-key-id KEY_ARN",
)
def secret_customer_managed_key(secret, inventory):
    if secret.evidence.get("encrypted") is None:
        return errored("The encryption of this secret was not collected.")
    # The collector names the default key alias/aws/secretsmanager; None only if a record was built by hand.
    key = secret.key_arn or "alias/aws/secretsmanager"
    return customer_managed_key_verdict("Secret uses", key, secret.region, inventory)


@check(
    "secretsmanager.secret_policy_not_public",
    title="Secret's resource policy does not open it to everyone",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="secretsmanager.secret",
    needs=("secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"),
    rationale=f'{ACCESS_GUIDANCE} A resource policy statement that allows Principal "*" with no condition fixing '
    "the accounts or organisation it serves offers the secret's value (secretsmanager:GetSecretValue) or its "
    "management to any AWS principal; only the key policy of its KMS key then stands in the way. A secret "
    f"without a resource policy is reachable only through its own account's IAM policies. {PUBLIC_RULE}",
    remediation="Console: Secrets Manager › the secret › Overview › Resource permissions › Edit: name the "
    "principals, or add a condition such as aws:PrincipalOrgID or aws:PrincipalAccount. CLI: aws secretsmanager "
    "put-resource-policy --secret-id SECRET_ARN --resource-policy file://policy.json --block-public-policy "
    "(--block-public-policy makes Secrets Manager refuse a policy that allows broad access; without it, public "
    "policies are accepted), or remove it: aws secretsmanager delete-resource-policy --secret-id SECRET_ARN",
)
def secret_policy_not_public(secret, inventory):
    return policy_verdict(secret, "Secret policy")
