"""Glue: the region's Data Catalog and how its metadata is encrypted at rest (one catalog per region)."""

from checks.collectors.base import Collected
from checks.inventory import Record

SERVICE = "glue"
SCOPE = "regional"
IAM_ACTIONS = {"GetDataCatalogEncryptionSettings": "glue:GetDataCatalogEncryptionSettings"}
# SSE-KMS without a key id uses the AWS-managed aws/glue key.
DEFAULT_KEY = "alias/aws/glue"
DISABLED = "DISABLED"


def catalog_arn(account_id, region):
    return f"arn:aws:glue:{region}:{account_id}:catalog"


def collect(ctx, region):
    collected = Collected(SERVICE, region)
    glue = ctx.client(SERVICE, region)
    arn = catalog_arn(ctx.account_id, region)
    settings = None
    with collected.capture(resource_uid=arn, api="glue:GetDataCatalogEncryptionSettings"):
        settings = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    # Every region has a Data Catalog: when its settings could not be read it is listed anyway, as ERROR.
    collected.add(catalog_record(arn, region, settings))
    return collected


def catalog_record(arn, region, settings):
    # The name is ours ("Data Catalog"), not typed by anyone: hygiene does not judge it.
    record = {"uid": arn, "type": "glue.data_catalog", "region": region, "name": "Data Catalog"}
    if settings is None:
        return Record(**record, evidence={"name_is_derived": True})
    at_rest = settings.get("EncryptionAtRest") or {}
    mode = at_rest.get("CatalogEncryptionMode") or DISABLED
    encrypted = mode != DISABLED
    evidence = {"name_is_derived": True, "encrypted": encrypted, "catalog_encryption_mode": mode}
    key = (at_rest.get("SseAwsKmsKeyId") or DEFAULT_KEY) if encrypted else None
    return Record(**record, evidence=evidence, key_arn=key)
