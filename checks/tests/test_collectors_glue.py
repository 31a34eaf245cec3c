"""Glue collector against the moto server: one Data Catalog record per region with its metadata encryption."""

from checks.collectors import glue
from checks.collectors.base import ScanContext
from conftest import deny

REGIONS = ("us-east-1", "eu-west-1")


def scan(aws, region="us-east-1"):
    ctx = ScanContext(aws.session, aws.account_id, REGIONS, "us-east-1")
    return ctx, glue.collect(ctx, region)


def test_a_region_without_catalog_encryption_records_it_off(aws):
    ctx, collected = scan(aws)
    [catalog] = collected.records
    assert (catalog.uid, catalog.type, catalog.region) == (
        f"arn:aws:glue:us-east-1:{aws.account_id}:catalog",
        "glue.data_catalog",
        "us-east-1",
    )
    assert catalog.evidence == {"name_is_derived": True, "encrypted": False, "catalog_encryption_mode": "DISABLED"}
    assert catalog.key_arn is None
    assert [call[2] for call in ctx.call_log.calls] == ["GetDataCatalogEncryptionSettings"]


def test_catalog_encryption_with_a_key_and_without_one(aws):
    key_arn = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    aws.client("glue").put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings={
            "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key_arn}
        }
    )
    aws.client("glue", "eu-west-1").put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings={"EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS"}}
    )
    [home] = scan(aws)[1].records
    [europe] = scan(aws, "eu-west-1")[1].records
    assert (home.evidence["encrypted"], home.key_arn) == (True, key_arn)
    assert (europe.evidence["encrypted"], europe.key_arn) == (True, "alias/aws/glue")  # the AWS-managed default


def test_unreadable_settings_keep_the_catalog_listed_with_its_error(aws):
    deny(aws.session, "glue", "GetDataCatalogEncryptionSettings")
    _ctx, collected = scan(aws, "eu-west-1")
    [catalog] = collected.records
    [error] = collected.errors
    assert error.resource_uid == catalog.uid == f"arn:aws:glue:eu-west-1:{aws.account_id}:catalog"
    assert error.api == "glue:GetDataCatalogEncryptionSettings"
    assert "encrypted" not in catalog.evidence
