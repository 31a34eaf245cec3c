"""DynamoDB tables: encrypted with a customer-managed key rather than AWS's own."""

from checks.catalog.base import (
    EXTERNAL_KEY_RATIONALE,
    UNKNOWN_KEY_RATIONALE,
    Area,
    Severity,
    check,
    customer_managed_key_verdict,
    errored,
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
    # No key named: DynamoDB's default, a key AWS owns.
    return customer_managed_key_verdict("Table uses", table.key_arn, table.region, inventory)
