"""Lambda functions: environment variables under a customer-managed key, and no function policy open to everyone."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    Severity,
    check,
    customer_managed_key_verdict,
    errored,
    not_applicable,
)
from checks.catalog.policies import policy_verdict


@check(
    "lambda.environment_customer_managed_key",
    title="Lambda function's environment variables are encrypted with a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="lambda.function",
    needs=("lambda:ListFunctions",),
    rationale='AWS data-protection guidance: prefer keys you own and manage ("If you supply customer owned and '
    'managed KMS key, all customer data is encrypted using the customer provided key"). Environment variables '
    "often carry connection strings and tokens; with the AWS-managed aws/lambda key, anyone allowed to read the "
    "function's configuration sees them in clear, while a customer-managed key adds a key policy that decides who "
    "can decrypt, and an audit trail of each use. Functions without environment variables are not applicable. "
    f"{EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="Console: Lambda › Functions › the function › Configuration › Environment variables › Edit › "
    "Encryption configuration: 'Use a customer master key' and choose a customer-managed key. CLI: aws lambda "
    "update-function-configuration --function-name NAME --kms-key-arn KEY_ARN",
)
def environment_customer_managed_key(function, inventory):
    count = function.evidence.get("environment_variable_count")
    if count is None:
        return errored("The environment of this function was not collected.")
    key = function.key_arn
    owner = inventory.key_owner(key, function.region) if key else None
    if not count and not function.evidence.get("environment_error"):
        return not_applicable("Function has no environment variables.", key_owner=owner)
    subject = (
        f"Function's {count} environment variable(s) are encrypted with"
        if count
        else ("Function's environment variables (which Lambda could not decrypt) are encrypted with")
    )
    return customer_managed_key_verdict(subject, key, function.region, inventory)


@check(
    "lambda.function_policy_not_public",
    title="Lambda function policy does not let everyone invoke the function",
    area=Area.ACCESS,
    severity=Severity.CRITICAL,
    resource_type="lambda.function",
    needs=("lambda:ListFunctions", "lambda:GetPolicy"),
    rationale="AWS data-protection guidance: give each identity only the permissions it needs. A function policy "
    'that allows Principal "*" without a condition naming your accounts, organisation or source resources lets '
    "any AWS account (and, through a function URL with auth type NONE, anyone on the internet) invoke the "
    "function with its role's access to your data. A grant to Amazon S3 without aws:SourceAccount is open to "
    "every account's buckets (bucket ARNs name no account).",
    remediation="Console: Lambda › Functions › the function › Configuration › Permissions › Resource-based policy "
    "statements: delete the statement or edit it to name the account, or add aws:SourceAccount / aws:SourceArn. "
    "CLI: aws lambda remove-permission --function-name NAME --statement-id SID, then aws lambda add-permission "
    "--function-name NAME --statement-id SID --action lambda:InvokeFunction --principal s3.amazonaws.com "
    "--source-account ACCOUNT_ID --source-arn BUCKET_ARN",
)
def function_policy_not_public(function, inventory):
    return policy_verdict(function, "Function policy")
