"""glue.data_catalog_encrypted, pure: each region's Data Catalog encrypts its metadata."""

from checks.catalog.base import KeyOwner, Status
from checks.tests.builders import ACCOUNT, REGION, make_key, make_record, run_check

CHECK = "glue.data_catalog_encrypted"
UID = f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog"


def catalog(mode="DISABLED", key_arn=None):
    return make_record(
        "glue.data_catalog",
        uid=UID,
        name="Data Catalog",
        key_arn=key_arn,
        name_is_derived=True,
        encrypted=mode != "DISABLED",
        catalog_encryption_mode=mode,
    )


def test_catalog_with_encryption_off_fails_as_unencrypted():
    result = run_check(CHECK, catalog())
    assert (result.status, result.key_owner) == (Status.FAIL, KeyOwner.UNENCRYPTED)
    assert REGION in result.reason


def test_catalog_with_a_customer_key_passes():
    key = make_key("k1")
    result = run_check(CHECK, catalog("SSE-KMS", key.uid), key)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.CUSTOMER_MANAGED)


def test_catalog_on_the_aws_managed_glue_key_passes_as_aws_managed():
    result = run_check(CHECK, catalog("SSE-KMS-WITH-SERVICE-ROLE", "alias/aws/glue"))
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.AWS_MANAGED)


def test_settings_not_read_are_an_error():
    bare = make_record("glue.data_catalog", uid=UID, name="Data Catalog", name_is_derived=True)
    assert run_check(CHECK, bare).status == Status.ERROR


def test_the_catalogs_derived_name_is_not_judged_for_hygiene():
    assert run_check("hygiene.no_sensitive_identifiers", catalog()) is None
