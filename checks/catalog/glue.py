"""Glue Data Catalog: metadata encrypted at rest with a KMS key, in every region."""

from checks.catalog.base import Area, KeyOwner, Severity, check, errored, failed, passed

GUIDANCE = "AWS data-protection guidance: use AWS encryption solutions, along with all default security controls."


@check(
    "glue.data_catalog_encrypted",
    title="Glue Data Catalog encrypts its metadata at rest",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="glue.data_catalog",
    needs=("glue:GetDataCatalogEncryptionSettings",),
    rationale=f"{GUIDANCE} Every region has one Data Catalog; its databases, tables, partitions and connection "
    "definitions describe where the data lies and how to reach it. With encryption at rest off, that metadata is "
    "stored without a KMS key; turning it on encrypts only what is written afterwards, so it belongs in place "
    "before the catalog fills.",
    remediation="Console: AWS Glue (in the region) › Data Catalog › Catalog settings › Metadata encryption: enable "
    "it with a customer-managed KMS key (and encrypt connection passwords). Repeat in every region. CLI: aws glue "
    "put-data-catalog-encryption-settings --region REGION --data-catalog-encryption-settings "
    "'EncryptionAtRest={CatalogEncryptionMode=SSE-KMS,SseAwsKmsKeyId=KEY_ARN}'",
)
def data_catalog_encrypted(catalog, inventory):
    mode = catalog.evidence.get("catalog_encryption_mode")
    region = catalog.region
    if mode is None:
        return errored(f"The Data Catalog encryption settings of {region} were not collected.")
    if not catalog.evidence.get("encrypted"):
        return failed(f"Data Catalog metadata encryption is off in {region}.", key_owner=KeyOwner.UNENCRYPTED)
    key = catalog.key_arn
    owner = inventory.key_owner(key, region)
    return passed(
        f"Data Catalog metadata in {region} is encrypted ({mode}) with KMS key {key} ({KeyOwner(owner).label}).",
        key_owner=owner,
    )
