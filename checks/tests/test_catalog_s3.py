import pytest

from checks.catalog.base import KeyOwner, Status
from checks.inventory import CollectionError
from checks.tests.builders import ACCOUNT, OTHER_ACCOUNT, REGION, make_key, make_record, run_check

BUCKET_ARN = "arn:aws:s3:::data"
BOTH = [BUCKET_ARN, f"{BUCKET_ARN}/*"]
EXTERNAL_KEY = f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k9"


def bucket(key_arn=None, **evidence):
    fields = {
        "sse_algorithm": None,
        "encrypted": False,
        "has_bucket_policy": False,
        "policy_deny_statements": [],
        "logging_target_bucket": None,
        "logging_target_prefix": None,
        **evidence,
    }
    return make_record("s3.bucket", uid=BUCKET_ARN, name="data", key_arn=key_arn, **fields)


def kms_bucket(key_arn, algorithm="aws:kms"):
    return bucket(key_arn=key_arn, sse_algorithm=algorithm, encrypted=True)


def with_policy(*statements):
    return bucket(has_bucket_policy=True, policy_deny_statements=list(statements))


def deny(condition, principal="*", action="s3:*", resource=None, sid="Tls", **extra):
    statement = {
        "Sid": sid,
        "Principal": principal,
        "Action": action,
        "Resource": BOTH if resource is None else resource,
        "Condition": condition,
        **extra,
    }
    return {key: value for key, value in statement.items() if value is not None}


INSECURE = {"Bool": {"aws:SecureTransport": "false"}}
OLD_TLS = {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


# ---- s3.bucket_default_encryption ----


def test_sse_s3_bucket_passes_as_aws_owned():
    result = run_check("s3.bucket_default_encryption", bucket(sse_algorithm="AES256", encrypted=True))
    assert result.status == Status.PASS
    assert "SSE-S3" in result.reason
    assert result.key_owner == KeyOwner.AWS_OWNED


def test_dsse_kms_bucket_with_customer_key_passes_as_customer_managed():
    key = make_key("k1")
    result = run_check("s3.bucket_default_encryption", kms_bucket(key.uid, "aws:kms:dsse"), key)
    assert result.status == Status.PASS
    assert "DSSE-KMS" in result.reason
    assert key.uid in result.reason
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_bucket_without_default_encryption_fails_as_unencrypted():
    result = run_check("s3.bucket_default_encryption", bucket())
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.UNENCRYPTED


def test_sse_kms_without_key_id_is_the_aws_managed_s3_key():
    result = run_check("s3.bucket_default_encryption", bucket(sse_algorithm="aws:kms", encrypted=True))
    assert result.status == Status.PASS
    assert "SSE-KMS" in result.reason
    assert "aws/s3" in result.reason
    assert result.key_owner == KeyOwner.AWS_MANAGED


def test_uncollected_encryption_is_an_error_not_a_fail():
    result = run_check("s3.bucket_default_encryption", bucket(encrypted=None))
    assert result.status == Status.ERROR


# ---- s3.bucket_customer_managed_key ----


def test_customer_managed_key_in_this_account_passes():
    key = make_key("k1")
    result = run_check("s3.bucket_customer_managed_key", kms_bucket(key.uid), key)
    assert result.status == Status.PASS
    assert result.key_owner == KeyOwner.CUSTOMER_MANAGED


def test_key_referenced_by_alias_resolves_to_the_customer_key():
    key = make_key("k1", aliases=["alias/data"])
    result = run_check("s3.bucket_customer_managed_key", kms_bucket("alias/data"), key)
    assert result.status == Status.PASS


@pytest.mark.parametrize(
    ("record", "owner"),
    [
        (bucket(sse_algorithm="AES256", encrypted=True), KeyOwner.AWS_OWNED),
        (bucket(sse_algorithm="aws:kms", encrypted=True), KeyOwner.AWS_MANAGED),
        (bucket(), KeyOwner.UNENCRYPTED),
    ],
)
def test_keys_the_account_does_not_manage_fail(record, owner):
    result = run_check("s3.bucket_customer_managed_key", record)
    assert result.status == Status.FAIL
    assert result.key_owner == owner


def test_aws_managed_key_found_by_its_alias_fails():
    key = make_key("k2", manager="AWS", aliases=["alias/aws/s3"])
    result = run_check("s3.bucket_customer_managed_key", kms_bucket(key.uid), key)
    assert result.status == Status.FAIL
    assert result.key_owner == KeyOwner.AWS_MANAGED


@pytest.mark.parametrize("trusted", [frozenset(), frozenset({OTHER_ACCOUNT})], ids=["untrusted", "trusted"])
def test_other_accounts_key_passes_whether_or_not_that_account_is_trusted(trusted):
    result = run_check("s3.bucket_customer_managed_key", kms_bucket(EXTERNAL_KEY), trusted_account_ids=trusted)
    assert (result.status, result.key_owner) == (Status.PASS, KeyOwner.EXTERNAL)
    assert OTHER_ACCOUNT in result.reason
    assert "kms.external_account_key" in result.reason


def test_untrusted_accounts_key_fails_once_in_kms_external_account_key_only():
    record = kms_bucket(EXTERNAL_KEY)
    assert run_check("s3.bucket_customer_managed_key", record).status == Status.PASS
    assert run_check("kms.external_account_key", record).status == Status.FAIL


GONE_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/gone"
UNDESCRIBED_KEY = make_key("k3", manager=None)


@pytest.mark.parametrize(
    ("key_arn", "others", "errors", "cause"),
    [
        (GONE_KEY, [], [], f"{GONE_KEY} is not among this account's KMS keys listed in {REGION} (deleted"),
        (
            GONE_KEY,
            [],
            [CollectionError("kms", REGION, "kms:ListKeys", "AccessDenied", "no")],
            f"the KMS keys of {REGION} could not be listed",
        ),
        (
            UNDESCRIBED_KEY.uid,
            [UNDESCRIBED_KEY],
            [CollectionError("kms", REGION, "kms:DescribeKey", "AccessDenied", "no", UNDESCRIBED_KEY.uid)],
            f"kms:DescribeKey failed on {UNDESCRIBED_KEY.uid} (AccessDenied)",
        ),
        (
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k4",
            [],
            [],
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k4 is in eu-west-1, a region this scan does not cover",
        ),
    ],
    ids=["deleted", "keys-not-listed", "describe-denied", "region-not-scanned"],
)
def test_key_that_could_not_be_described_is_an_error_naming_the_key_and_what_was_not_read(
    key_arn, others, errors, cause
):
    result = run_check("s3.bucket_customer_managed_key", kms_bucket(key_arn), *others, errors=errors)
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert result.reason.startswith(f"Default encryption is SSE-KMS with key {key_arn}, a key this scan could not")
    assert cause in result.reason


def test_unknown_algorithm_is_an_error_not_a_failure():
    result = run_check("s3.bucket_customer_managed_key", kms_bucket(None, algorithm="aws:future"))
    assert (result.status, result.key_owner) == (Status.ERROR, KeyOwner.UNKNOWN)
    assert "an algorithm this check does not know" in result.reason


# ---- s3.bucket_secure_transport ----


@pytest.mark.parametrize(
    "statement",
    [
        deny(INSECURE),
        deny({"Bool": {"aws:SecureTransport": ["false"]}}, principal={"AWS": "*"}, action=["s3:*"]),
        deny({"Bool": {"aws:securetransport": False}}, principal={"AWS": ["*"]}, action="*", resource="*"),
        deny({"BoolIfExists": {"aws:SecureTransport": "false"}}, resource="arn:aws:s3:::data*"),
    ],
)
def test_deny_without_secure_transport_passes_in_every_aws_shape(statement):
    result = run_check("s3.bucket_secure_transport", with_policy(statement))
    assert result.status == Status.PASS
    assert "'Tls'" in result.reason


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        (deny(INSECURE, principal={"AWS": "arn:aws:iam::111111111111:root"}), "every principal"),
        (deny(INSECURE, action=["s3:GetObject", "s3:PutObject"]), "every s3 action"),
        (deny(INSECURE, resource=f"{BUCKET_ARN}/*"), "the bucket and all its objects"),
        (deny(INSECURE, resource=[BUCKET_ARN, f"{BUCKET_ARN}/reports/*"]), "the bucket and all its objects"),
        (deny({**INSECURE, "StringEquals": {"aws:SourceVpc": "vpc-1"}}), "further conditions"),
        (deny(INSECURE, principal=None, NotPrincipal={"AWS": "arn:aws:iam::111111111111:root"}), "every principal"),
    ],
)
def test_narrowed_deny_fails_and_says_why(statement, why):
    result = run_check("s3.bucket_secure_transport", with_policy(statement))
    assert result.status == Status.FAIL
    assert why in result.reason


def test_bucket_without_policy_fails():
    result = run_check("s3.bucket_secure_transport", bucket())
    assert result.status == Status.FAIL
    assert "no bucket policy" in result.reason


def test_deny_with_secure_transport_true_does_not_count():
    result = run_check("s3.bucket_secure_transport", with_policy(deny({"Bool": {"aws:SecureTransport": "true"}})))
    assert result.status == Status.FAIL


def test_tls_version_deny_alone_is_not_a_secure_transport_deny():
    result = run_check("s3.bucket_secure_transport", with_policy(deny(OLD_TLS)))
    assert result.status == Status.FAIL


def test_uncollected_policy_is_an_error():
    result = run_check("s3.bucket_secure_transport", bucket(has_bucket_policy=None, policy_deny_statements=None))
    assert result.status == Status.ERROR


def test_ill_typed_condition_never_passes():
    result = run_check("s3.bucket_secure_transport", with_policy(deny(["Bool", "aws:SecureTransport"])))
    assert result.status == Status.FAIL


# ---- s3.bucket_min_tls_12 ----


@pytest.mark.parametrize(
    "condition",
    [
        OLD_TLS,
        {"NumericLessThan": {"s3:TlsVersion": 1.2}},
        {"NumericLessThan": {"s3:TlsVersion": ["1.3"]}},
        {"NumericLessThanEquals": {"s3:TlsVersion": "1.1"}},
    ],
)
def test_deny_below_tls_12_passes(condition):
    result = run_check("s3.bucket_min_tls_12", with_policy(deny(INSECURE, sid="Http"), deny(condition)))
    assert result.status == Status.PASS
    assert "'Tls'" in result.reason


@pytest.mark.parametrize(
    "condition",
    [
        {"NumericLessThan": {"s3:TlsVersion": "1.1"}},
        {"NumericLessThanEquals": {"s3:TlsVersion": "1.0"}},
        {"NumericGreaterThan": {"s3:TlsVersion": "1.2"}},
        {"NumericLessThan": {"s3:TlsVersion": "one point two"}},
    ],
)
def test_weaker_or_odd_tls_denies_fail(condition):
    result = run_check("s3.bucket_min_tls_12", with_policy(deny(condition)))
    assert result.status == Status.FAIL


def test_secure_transport_deny_alone_does_not_set_a_minimum_tls_version():
    result = run_check("s3.bucket_min_tls_12", with_policy(deny(INSECURE)))
    assert result.status == Status.FAIL
    assert "TLS 1.0 or 1.1" in result.reason


# ---- s3.bucket_server_access_logging ----


def test_bucket_logging_to_a_target_passes():
    result = run_check(
        "s3.bucket_server_access_logging", bucket(logging_target_bucket="logs", logging_target_prefix="data/")
    )
    assert result.status == Status.PASS
    assert "s3://logs/data/" in result.reason


def test_bucket_without_logging_fails():
    assert run_check("s3.bucket_server_access_logging", bucket()).status == Status.FAIL


def test_bucket_whose_logging_was_not_collected_errors():
    record = make_record("s3.bucket", uid=BUCKET_ARN, name="data")
    assert run_check("s3.bucket_server_access_logging", record).status == Status.ERROR


# ---- needs: which collection errors reach which checks ----


def test_denied_bucket_policy_errors_the_policy_checks_only():
    from checks.catalog import CATALOG
    from checks.evaluation import evaluate_check
    from checks.tests.builders import make_inventory

    record = bucket(sse_algorithm="AES256", encrypted=True, has_bucket_policy=None, policy_deny_statements=None)
    inventory = make_inventory(
        record,
        errors=[CollectionError("s3", "global", "s3:GetBucketPolicy", "AccessDenied", "no", resource_uid=BUCKET_ARN)],
    )

    def status(check_id):
        [evaluation] = [e for e in evaluate_check(CATALOG[check_id], inventory) if e.record.uid == BUCKET_ARN]
        return evaluation.result.status

    assert status("s3.bucket_secure_transport") == Status.ERROR
    assert status("s3.bucket_min_tls_12") == Status.ERROR
    assert status("s3.bucket_default_encryption") == Status.PASS
