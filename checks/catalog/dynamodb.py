"""DynamoDB tables: encrypted with a customer-managed key rather than AWS's own."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    KeyOwner,
    Severity,
    check,
    errored,
    errored_unknown_key,
    failed,
    passed,
    passed_external_key,
)


@check(
    "dynamodb.table_customer_managed_key",
    title="DynamoDB table is encrypted with a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="dynamodb.table",
    needs=("dynamodb:ListTables", "dynamodb:DescribeTable"),
    rationale='AWS data-protection guidance: prefer keys you own and manage ("If you supply customer owned and '
    'managed KMS key, all customer data is encrypted using the customer provided key"). DynamoDB always '
    "encrypts, but with the AWS-owned default key or the AWS-managed aws/dynamodb key you cannot restrict, "
    f"audit or revoke access to the table's data through your own key policy. {EXTERNAL_KEY_RATIONALE} "
    f"{UNKNOWN_KEY_RATIONALE}",
    remediation="Console: DynamoDB › Tables › the table › Additional settings › Encryption › Manage encryption: "
    "'Stored in your account, and owned and managed by you' with a customer-managed key. CLI: aws dynamodb "
    "update-table --table-name TABLE --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY_ARN",
)
def table_customer_managed_key(table, inventory):
    if table.evidence.get("encrypted") is None:
        return errored("The encryption of this table was not collected.")
    key = table.key_arn
    if not key:
        return failed("Table uses DynamoDB's default AWS-owned key.", key_owner=KeyOwner.AWS_OWNED)
    owner = inventory.key_owner(key, table.region)
    if owner == KeyOwner.AWS_MANAGED:
        return failed(f"Table uses the AWS-managed key {key} (aws/dynamodb).", key_owner=owner)
    if owner == KeyOwner.CUSTOMER_MANAGED:
        return passed(f"Table uses the customer-managed key {key}.", key_owner=owner)
    if owner == KeyOwner.EXTERNAL:
        return passed_external_key(f"Table uses {key}", key, inventory)
    return errored_unknown_key(f"Table uses {key}", key, table.region, inventory)
