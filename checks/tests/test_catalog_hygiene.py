"""Hygiene checks: credentials in URLs, sensitive identifiers in names, descriptions and tags."""

import pytest

from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.catalog.hygiene import luhn_valid, sensitive_values
from checks.evaluation import evaluate_check
from checks.inventory import TAGGING_API, CollectionError
from checks.tests.builders import ACCOUNT, REGION, make_inventory, make_record, run_check

URLS = "hygiene.no_credentials_in_urls"
IDENTIFIERS = "hygiene.no_sensitive_identifiers"


# --- credentials in URLs ---------------------------------------------------------------------------


def test_record_without_urls_is_not_judged():
    assert run_check(URLS, make_record("sns.topic", name="alerts")) is None


def test_plain_https_url_passes():
    record = make_record("sns.subscription", urls={"endpoint": "https://hooks.example.com/path?x=1"})
    assert run_check(URLS, record).status == Status.PASS


def test_url_with_redacted_password_fails_naming_field_and_masking_user():
    record = make_record("sns.subscription", urls={"endpoint": "https://alice:****@hooks.example.com/in"})
    result = run_check(URLS, record)
    assert result.status == Status.FAIL
    assert result.reason == "The URL in 'endpoint' carries a user name and password (a***:****@hooks.example.com)."
    assert "alice" not in result.reason


def test_url_with_user_name_only_fails():
    result = run_check(URLS, make_record("x.webhook", urls=["https://deploy@git.example.com/repo.git"]))
    assert result.status == Status.FAIL
    assert result.reason == "The URL carries a user name (d***@git.example.com)."


def test_scheme_less_repository_location_with_user_info_fails():
    record = make_record("proton.repository", urls={"repository name": "bob:****@git.example.com/org/repo"})
    assert run_check(URLS, record).status == Status.FAIL


def test_at_sign_in_path_or_query_is_not_user_info():
    record = make_record("x.webhook", urls={"hook": "https://example.com/users/a@b.com?to=c@d.com"})
    assert run_check(URLS, record).status == Status.PASS


def test_plain_owner_slash_repo_passes():
    assert run_check(URLS, make_record("proton.repository", urls={"repository name": "org/repo"})).status == Status.PASS


# --- sensitive identifiers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("logs-123456789012-us-east-1", ["an AWS account number"]),
        ("account 1234-5678-9012", ["an AWS account number"]),
        ("vol-3-210987654321", ["an AWS account number"]),  # after a numbered separator
        ("backup_2_123456789012", ["an AWS account number"]),
        ("backup-123456789012-2", ["an AWS account number"]),
        ("logs 1 123456789012", ["an AWS account number"]),
        ("snapshot-2-202406301200", []),  # the timestamp guard holds after a separator too
        ("call +1 234567890123", []),  # a phone number with its country code
        ("ring +44-123456789012", []),
        ("backup-202406301200", []),  # YYYYMMDDhhmm
        ("snapshot-20240630120000", []),  # YYYYMMDDhhmmss
        ("snapshot-240630120000", ["an AWS account number"]),  # YYMMDDhhmmss reads as an account: see is_timestamp
        ("2026-06-30T12:00:00Z", []),
        ("run-20240630", []),
        ("key 1b4e28ba-2fa1-11d2-883f-123456789012", []),  # UUID whose last group is all digits
        ("1234567890123", []),  # 13 digits: neither account nor card (Luhn)
        ("call +441234567890", []),
        ("i-0abc123456789012", []),
        ("owner: jane.doe@example.com", ["an e-mail address"]),
        ("logo@2x.png", []),
        ("user@localhost", []),
        ("AKIAIOSFODNN7EXAMPLE", ["an AWS access key id"]),
        ("ASIAQWERTYUIOPASDFGH here", ["an AWS access key id"]),
        ("xAKIAIOSFODNN7EXAMPLE", []),
        ("AKIAIOSFODNN7EXAMPL", []),
        ("card 4111 1111 1111 1111", ["a card number"]),
        ("card 4111-1111-1111-1111", ["a card number"]),
        ("4111111111111112", []),  # Luhn-invalid
        ("5500005555555559", ["a card number"]),
        ("378282246310005", ["a card number"]),  # Amex, 15 digits
        ("1718000000000", []),  # epoch milliseconds
        ("1718000000006", []),  # Luhn-valid epoch milliseconds
        ("20240630120002", []),  # Luhn-valid, but no issuer starts 20
        ("6011111111111117", ["a card number"]),
        ("0000000000000000", []),
        ("order 2024-06-30-1234", []),
        ("vpc-0a1b2c3d", []),
        ("", []),
    ],
)
def test_sensitive_value_detection(text, kinds):
    assert [kind for kind, _value in sensitive_values(text)] == kinds


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_clean_record_passes():
    record = make_record("s3.bucket", name="web-assets", description="Static files", tags={"team": "web"})
    result = run_check(IDENTIFIERS, record)
    assert result.status == Status.PASS
    assert "4 free-form field(s)" in result.reason


def test_email_in_tag_value_fails_with_masked_value():
    record = make_record("s3.bucket", name="web-assets", tags={"owner": "jane@example.com"})
    result = run_check(IDENTIFIERS, record)
    assert result.status == Status.FAIL
    assert result.reason == "Tag 'owner' holds an e-mail address (j***@example.com)."


def test_account_number_in_name_fails_even_when_it_is_the_accounts_own():
    result = run_check(IDENTIFIERS, make_record("s3.bucket", name=f"logs-{ACCOUNT}"))
    assert result.status == Status.FAIL
    assert result.reason == "Name holds an AWS account number (********1111)."


def test_account_number_only_in_the_arn_passes():
    record = make_record("s3.bucket", uid=f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", name="jobs")
    assert run_check(IDENTIFIERS, record).status == Status.PASS


def test_derived_name_is_not_judged_and_nothing_else_means_no_finding():
    record = make_record("elbv2.listener", name=f"lb-{ACCOUNT}:443", name_is_derived=True)
    assert run_check(IDENTIFIERS, record) is None


def test_access_key_in_description_fails_and_counts_the_rest():
    record = make_record(
        "lambda.function",
        name="deploy",
        description="uses AKIAIOSFODNN7EXAMPLE",
        tags={"billing": "4111 1111 1111 1111"},
    )
    result = run_check(IDENTIFIERS, record)
    assert result.status == Status.FAIL
    assert result.reason == (
        "Description holds an AWS access key id (AKIA************MPLE), and 1 more sensitive value(s) were found."
    )


def test_sensitive_tag_key_is_masked_in_the_reason():
    record = make_record("s3.bucket", name="b", tags={"jane@example.com": "owner"})
    result = run_check(IDENTIFIERS, record)
    assert result.status == Status.FAIL
    assert result.reason == "A tag key holds an e-mail address (j***@example.com)."


def test_aws_system_tags_are_ignored():
    record = make_record(
        "s3.bucket",
        name="b",
        tags={"aws:cloudformation:stack-id": f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/web/1b4e28ba"},
    )
    assert run_check(IDENTIFIERS, record).status == Status.PASS


def test_display_name_is_a_free_form_field():
    record = make_record("proton.template", name="web", display_name=f"Web for {ACCOUNT}")
    assert "Display name" in run_check(IDENTIFIERS, record).reason


def test_tags_unread_in_its_region_make_the_record_an_error_and_the_region_a_gap():
    record = make_record("sqs.queue", name="jobs")
    elsewhere = make_record("sqs.queue", name="jobs", region="eu-west-1")
    error = CollectionError("resourcegroupstaggingapi", REGION, TAGGING_API, "AccessDenied", "no")
    inventory = make_inventory(record, elsewhere, errors=[error], regions=(REGION, "eu-west-1"))
    evaluations = evaluate_check(CATALOG[IDENTIFIERS], inventory)
    assert sorted((e.record.type, e.record.region, e.result.status) for e in evaluations) == [
        ("region", REGION, Status.ERROR),
        ("sqs.queue", "eu-west-1", Status.PASS),
        ("sqs.queue", REGION, Status.ERROR),
    ]


def test_tags_unread_in_us_east_1_make_global_cloudfront_an_error_but_not_iam():
    distribution = make_record("cloudfront.distribution", name="E1", region="global", name_is_derived=True)
    user = make_record("iam.user", name="alice", region="global")
    error = CollectionError("resourcegroupstaggingapi", "us-east-1", TAGGING_API, "Throttling", "slow down")
    statuses = {
        e.record.type: e.result.status
        for e in evaluate_check(CATALOG[IDENTIFIERS], make_inventory(distribution, user, errors=[error]))
    }
    assert statuses == {"region": Status.ERROR, "cloudfront.distribution": Status.ERROR, "iam.user": Status.PASS}


def test_a_resources_own_tag_call_that_failed_makes_it_an_error():
    record = make_record("s3.bucket", name="far-away", region="ap-southeast-2")
    error = CollectionError("s3", "global", "s3:GetBucketTagging", "AccessDenied", "no", resource_uid=record.uid)
    evaluations = evaluate_check(CATALOG[IDENTIFIERS], make_inventory(record, errors=[error]))
    assert [(e.record.uid, e.result.status) for e in evaluations] == [(record.uid, Status.ERROR)]


def test_account_and_region_records_are_not_judged():
    evaluations = evaluate_check(CATALOG[IDENTIFIERS], make_inventory())
    assert evaluations == []


def test_tag_apis_are_the_tagging_api_and_exactly_the_tag_calls_collectors_make():
    from checks.catalog.hygiene import TAG_APIS
    from checks.collectors import COLLECTORS, tagging

    tag_calls = {
        f"{module.SERVICE}:{operation}"
        for module in COLLECTORS
        for operation in module.IAM_ACTIONS
        if "Tag" in operation and ":" not in operation
    }
    assert f"{tagging.SERVICE}:GetResources" == TAGGING_API
    assert set(TAG_APIS) == tag_calls | {TAGGING_API}
    assert set(TAG_APIS) <= set(CATALOG[IDENTIFIERS].needs)
