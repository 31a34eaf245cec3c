"""S3 buckets: default encryption and its key, TLS-only bucket policies, and server access logging."""

import re

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

ALGORITHM_LABELS = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}
# AWS uses the account's AWS-managed key for SSE-KMS / DSSE-KMS when no key id is configured.
AWS_MANAGED_S3_KEY = "alias/aws/s3"
GUIDANCE_AT_REST = (
    "AWS data-protection guidance: encrypt data at rest with SSE-S3 or SSE-KMS, and prefer keys you own and manage."
)
GUIDANCE_TLS = "AWS data-protection guidance: use SSL/TLS to communicate with AWS resources; TLS 1.2 or later."
TLS_ONLY_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",'
    '"Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],'
    '"Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"DenyOldTls","Effect":"Deny",'
    '"Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],'
    '"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}]}'
)
# `Bool` values arrive as "false", ["false"] or a JSON false; every one means the same.
INSECURE_TRANSPORT_OPERATORS = ("bool", "boolifexists")
# Deny below a threshold: NumericLessThan 1.2 (or higher) or NumericLessThanEquals 1.1 (or higher).
TLS_THRESHOLDS = {
    "numericlessthan": 1.2,
    "numericlessthanifexists": 1.2,
    "numericlessthanequals": 1.1,
    "numericlessthanequalsifexists": 1.1,
}


def algorithm_label(algorithm):
    return ALGORITHM_LABELS.get(algorithm, algorithm)


def default_key_ref(bucket):
    """The KMS key of the default encryption (the AWS-managed S3 key when SSE-KMS names none)."""
    algorithm = bucket.evidence.get("sse_algorithm") or ""
    if not algorithm.startswith("aws:kms"):
        return None
    return bucket.key_arn or AWS_MANAGED_S3_KEY


def encryption_key_owner(bucket, inventory):
    algorithm = bucket.evidence.get("sse_algorithm")
    if not algorithm:
        return KeyOwner.UNENCRYPTED
    if algorithm == "AES256":
        return KeyOwner.AWS_OWNED
    if algorithm.startswith("aws:kms"):
        return inventory.key_owner(default_key_ref(bucket), bucket.region)
    return KeyOwner.UNKNOWN


def encryption_phrase(bucket):
    algorithm = bucket.evidence.get("sse_algorithm")
    key = default_key_ref(bucket)
    if key == AWS_MANAGED_S3_KEY:
        return f"{algorithm_label(algorithm)} with the AWS-managed key aws/s3"
    if key:
        return f"{algorithm_label(algorithm)} with key {key}"
    return f"{algorithm_label(algorithm)} (keys owned by S3)" if algorithm == "AES256" else algorithm_label(algorithm)


@check(
    "s3.bucket_default_encryption",
    title="Bucket has default encryption",
    area=Area.AT_REST,
    severity=Severity.HIGH,
    resource_type="s3.bucket",
    needs=("s3:ListBuckets", "s3:GetBucketEncryption"),
    rationale=f"{GUIDANCE_AT_REST} Default encryption makes S3 encrypt every new object (SSE-S3, SSE-KMS or "
    "DSSE-KMS) even when the writer asks for nothing; Proton template bundles in a customer bucket are such data.",
    remediation="Console: S3 › the bucket › Properties › Default encryption › Edit: choose SSE-KMS with a "
    "customer-managed key (or at least SSE-S3). CLI: aws s3api put-bucket-encryption --bucket BUCKET "
    '--server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":'
    '{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}\'',
)
def bucket_default_encryption(bucket, inventory):
    evidence = bucket.evidence
    if evidence.get("encrypted") is None:
        return errored("The bucket's default encryption was not collected.")
    if not evidence.get("sse_algorithm"):
        return failed("Bucket has no default encryption configured.", key_owner=KeyOwner.UNENCRYPTED)
    owner = encryption_key_owner(bucket, inventory)
    return passed(f"Default encryption is {encryption_phrase(bucket)}.", key_owner=owner)


@check(
    "s3.bucket_customer_managed_key",
    title="Bucket's default encryption uses a customer-managed KMS key",
    area=Area.AT_REST,
    severity=Severity.MEDIUM,
    resource_type="s3.bucket",
    needs=("s3:ListBuckets", "s3:GetBucketEncryption"),
    rationale=f"{GUIDANCE_AT_REST} With a customer-managed key you decide who may decrypt (key policy), can "
    "rotate or disable it, and every use is logged in CloudTrail; S3-owned (SSE-S3) and AWS-managed (aws/s3) "
    f"keys give none of that control. {EXTERNAL_KEY_RATIONALE} {UNKNOWN_KEY_RATIONALE}",
    remediation="Console: S3 › the bucket › Properties › Default encryption › Edit: SSE-KMS, choose a "
    "customer-managed key, enable Bucket Key. CLI: aws s3api put-bucket-encryption --bucket BUCKET "
    '--server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":'
    '{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"KEY_ARN"},"BucketKeyEnabled":true}]}\' '
    "(existing objects keep their old key until rewritten, e.g. aws s3 cp s3://BUCKET s3://BUCKET --recursive).",
)
def bucket_customer_managed_key(bucket, inventory):
    if bucket.evidence.get("encrypted") is None:
        return errored("The bucket's default encryption was not collected.")
    owner = encryption_key_owner(bucket, inventory)
    phrase = encryption_phrase(bucket)
    if owner == KeyOwner.CUSTOMER_MANAGED:
        return passed(f"Default encryption is {phrase}, a customer-managed key.", key_owner=owner)
    if owner == KeyOwner.EXTERNAL:
        return passed_external_key(f"Default encryption is {phrase}", default_key_ref(bucket), inventory)
    if owner == KeyOwner.UNKNOWN:
        return unknown_key_result(bucket, inventory, phrase)
    if owner == KeyOwner.UNENCRYPTED:
        return failed("Bucket has no default encryption configured.", key_owner=owner)
    kind = "an AWS-managed key" if owner == KeyOwner.AWS_MANAGED else "not a customer-managed key"
    return failed(f"Default encryption is {phrase}, {kind}.", key_owner=owner)


def unknown_key_result(bucket, inventory, phrase):
    key_ref = default_key_ref(bucket)
    if key_ref is None:
        return errored(f"Default encryption is {phrase}, an algorithm this check does not know.", KeyOwner.UNKNOWN)
    return errored_unknown_key(f"Default encryption is {phrase}", key_ref, bucket.region, inventory)


# ---- bucket policy statements (AWS shapes: strings or lists everywhere) ----


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def covers_all_principals(statement):
    if "NotPrincipal" in statement:
        return False
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))


def covers_all_s3_actions(statement):
    if "NotAction" in statement:
        return False
    return any(str(action).lower() in ("*", "s3:*") for action in as_list(statement.get("Action")))


def arn_pattern(pattern):
    """An IAM resource pattern as a regex: `*` is any run of characters, `?` any one."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern)))


def covers_bucket_and_objects(statement, bucket_arn):
    if "NotResource" in statement:
        return False
    patterns = [arn_pattern(resource) for resource in as_list(statement.get("Resource"))]
    # Every object: the pattern must match a literal "/*" and any deep key alike.
    objects = (f"{bucket_arn}/*", f"{bucket_arn}/any/deep/key.txt")
    covers_bucket = any(pattern.fullmatch(bucket_arn) for pattern in patterns)
    covers_objects = any(all(pattern.fullmatch(target) for target in objects) for pattern in patterns)
    return covers_bucket and covers_objects


def condition_entries(statement):
    """[(operator, key, values)] with operator and key lower-cased and every value a lower-case string."""
    condition = statement.get("Condition") or {}
    if not isinstance(condition, dict):
        return [("malformed", "", [])]
    entries = []
    for operator, block in condition.items():
        if not isinstance(block, dict):
            entries.append((operator.lower(), "", []))
            continue
        for key, values in block.items():
            entries.append((operator.lower(), key.lower(), [str(value).lower() for value in as_list(values)]))
    return entries


def shortfall(statement, bucket_arn):
    """Why a Deny statement does not reach every request to the bucket (None when it does)."""
    if not covers_all_principals(statement):
        return "does not apply to every principal"
    if not covers_all_s3_actions(statement):
        return "does not cover every s3 action"
    if not covers_bucket_and_objects(statement, bucket_arn):
        return "does not cover both the bucket and all its objects"
    if len(condition_entries(statement)) > 1:
        # Conditions AND together: any extra one narrows the deny to some requests only.
        return "is narrowed by further conditions"
    return None


def tests_insecure_transport(condition):
    operator, key, values = condition
    return operator in INSECURE_TRANSPORT_OPERATORS and key == "aws:securetransport" and "false" in values


def numbers(values):
    found = []
    for value in values:
        try:
            found.append(float(value))
        except ValueError:
            continue
    return found


def tests_tls_below_12(condition):
    operator, key, values = condition
    threshold = TLS_THRESHOLDS.get(operator)
    # Several values are ORed: the deny reaches up to the highest one.
    return key == "s3:tlsversion" and threshold is not None and max(numbers(values), default=0) >= threshold


def policy_result(bucket, is_test, success, missing):
    statements = bucket.evidence.get("policy_deny_statements")
    if statements is None or bucket.evidence.get("has_bucket_policy") is None:
        return errored("The bucket policy was not collected.")
    if not bucket.evidence["has_bucket_policy"]:
        return failed(f"Bucket has no bucket policy, so {missing}.")
    near_miss = None
    for statement in statements:
        if not any(is_test(condition) for condition in condition_entries(statement)):
            continue
        gap = shortfall(statement, bucket.uid)
        if gap is None:
            return passed(f"Bucket policy statement {statement_label(statement)} {success}.")
        near_miss = near_miss or f"Deny statement {statement_label(statement)} {gap}, so {missing}."
    return failed(near_miss or f"No Deny statement in the bucket policy tests this, so {missing}.")


def statement_label(statement):
    return repr(statement["Sid"]) if statement.get("Sid") else "(no Sid)"


@check(
    "s3.bucket_secure_transport",
    title="Bucket policy denies requests without TLS",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="s3.bucket",
    needs=("s3:ListBuckets", "s3:GetBucketPolicy"),
    rationale=f"{GUIDANCE_TLS} S3 still answers plain HTTP unless the bucket policy denies requests where "
    "aws:SecureTransport is false, for every principal, every action, the bucket and its objects.",
    remediation="Console: S3 › the bucket › Permissions › Bucket policy › Edit: add a Deny statement for "
    'Principal "*", Action "s3:*", Resource the bucket ARN and BUCKET/*, Condition '
    '{"Bool":{"aws:SecureTransport":"false"}}. CLI (merge with the existing policy first): '
    f"aws s3api put-bucket-policy --bucket BUCKET --policy '{TLS_ONLY_POLICY}'",
)
def bucket_secure_transport(bucket, inventory):
    return policy_result(
        bucket,
        tests_insecure_transport,
        "denies requests where aws:SecureTransport is false",
        "requests over plain HTTP are not denied",
    )


@check(
    "s3.bucket_min_tls_12",
    title="Bucket policy denies TLS versions below 1.2",
    area=Area.IN_TRANSIT,
    severity=Severity.MEDIUM,
    resource_type="s3.bucket",
    needs=("s3:ListBuckets", "s3:GetBucketPolicy"),
    rationale=f"{GUIDANCE_TLS} A Deny on s3:TlsVersion below 1.2 (NumericLessThan) keeps clients from "
    "negotiating TLS 1.0 or 1.1 with the bucket.",
    remediation="Console: S3 › the bucket › Permissions › Bucket policy › Edit: add a Deny statement for "
    'Principal "*", Action "s3:*", Resource the bucket ARN and BUCKET/*, Condition '
    '{"NumericLessThan":{"s3:TlsVersion":"1.2"}}. CLI (merge with the existing policy first): '
    f"aws s3api put-bucket-policy --bucket BUCKET --policy '{TLS_ONLY_POLICY}'",
)
def bucket_min_tls_12(bucket, inventory):
    return policy_result(
        bucket, tests_tls_below_12, "denies s3:TlsVersion below 1.2", "clients may still use TLS 1.0 or 1.1"
    )


@check(
    "s3.bucket_server_access_logging",
    title="Bucket has server access logging",
    area=Area.LOGGING,
    severity=Severity.LOW,
    resource_type="s3.bucket",
    needs=("s3:ListBuckets", "s3:GetBucketLogging"),
    rationale="AWS data-protection guidance: set up API and user activity logging. Server access logs record "
    "each request made to the bucket (requester, object, time, TLS version), including the object reads "
    "CloudTrail only records as paid data events.",
    remediation="Console: S3 › the bucket › Properties › Server access logging › Edit: Enable, choose a "
    "log bucket in the same region (not the bucket itself). CLI: aws s3api put-bucket-logging --bucket BUCKET "
    '--bucket-logging-status \'{"LoggingEnabled":{"TargetBucket":"LOG_BUCKET","TargetPrefix":"BUCKET/"}}\'',
)
def bucket_server_access_logging(bucket, inventory):
    evidence = bucket.evidence
    if "logging_target_bucket" not in evidence:
        return errored("The bucket's logging configuration was not collected.")
    target = evidence["logging_target_bucket"]
    if not target:
        return failed("Server access logging is off.")
    prefix = evidence.get("logging_target_prefix")
    where = f"s3://{target}/{prefix}" if prefix else f"bucket {target}"
    return passed(f"Server access logs are delivered to {where}.")
