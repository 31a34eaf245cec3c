"""Every command-line argument and form field that takes an account id, ARN, ExternalId, region, date or
choice refuses bad input with a message that says what is wrong — never a traceback, never a 500."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


@pytest.fixture
def known_account():
    return AwsAccountFactory(account_id="111122223333", name="known")


COMMAND_CASES = [
    # add_account
    (["add_account", "12345", "--name", "x"], "exactly 12 digits"),
    (["add_account", "12345678901a", "--name", "x"], "exactly 12 digits"),
    (
        ["add_account", "444455556666", "--name", "x", "--role-arn", "arn:aws:iam::444455556666:user/bob"],
        "not an IAM role ARN",
    ),
    (
        ["add_account", "444455556666", "--name", "x", "--role-arn", "arn:aws:iam::999988887777:role/Audit"],
        "same account",
    ),
    (["add_account", "444455556666", "--name", "x", "--external-id", "abc"], "--external-id needs --role-arn"),
    (
        [
            "add_account",
            "444455556666",
            "--name",
            "x",
            "--role-arn",
            "arn:aws:iam::444455556666:role/Audit",
            "--external-id",
            "bad id with spaces",
        ],
        "ExternalId is 2 to 1224 characters",
    ),
    (
        [
            "add_account",
            "444455556666",
            "--name",
            "x",
            "--role-arn",
            "arn:aws:iam::444455556666:role/Audit",
            "--external-id",
            "x" * 1225,
        ],
        "ExternalId is 2 to 1224 characters",
    ),
    (["add_account", "444455556666", "--name", "x", "--regions", "us-east-1,mars-north-1"], "Unknown AWS region"),
    (["add_account", "444455556666"], "the following arguments are required: --name"),
    (["add_account", "111122223333", "--name", "again"], "already registered"),
    # discover_accounts
    (["discover_accounts", "--from", "1234", "--role-name", "Audit"], "exactly 12 digits"),
    (
        ["discover_accounts", "--from", "444455556666", "--role-name", "Audit", "--external-id", "<x>"],
        "ExternalId is 2 to 1224 characters",
    ),
    (
        ["discover_accounts", "--from", "444455556666", "--role-name", "Audit", "--regions", "atlantis-1"],
        "Unknown AWS region",
    ),
    # scan
    (["scan"], "one of the arguments --account --all is required"),
    (["scan", "--account", "999999999999"], "Unknown account id"),
    (["scan", "--account", "111122223333", "--all"], "not allowed with argument"),
    (["scan", "--all", "--wait", "--concurrency", "0"], "--concurrency must be at least 1"),
    (["scan", "--all", "--wait", "--concurrency", "many"], "invalid int value: 'many'"),
    # export
    (["export", "--format", "docx", "-o", "out"], "invalid choice: 'docx'"),
    (["export", "--format", "csv", "-o", "out", "--account", "abc"], "exactly 12 digits"),
    (["export", "--format", "csv", "-o", "out", "--account", "999999999999"], "Unknown account id"),
    (["export", "--format", "csv", "-o", "out", "--as-of", "30/06/2026"], "must look like 2026-06-30"),
    (["export", "--format", "csv", "-o", "out", "--as-of", "2026-02-30"], "must look like 2026-06-30"),
    (["export", "--format", "csv", "-o", "out", "--as-of", (TODAY + timedelta(days=2)).isoformat()], "in the future"),
    (["export", "--format", "csv", "-o", "out", "--as-of", "2001-01-01"], "older than the"),
    (["export", "--format", "csv", "-o", "out", "--severity", "urgent"], "invalid choice: 'urgent'"),
    (["export", "--format", "csv", "-o", "/nonexistent-folder/out.csv"], "Cannot write"),
    # catalog, verify_evidence
    (["catalog", "--format", "yaml"], "invalid choice: 'yaml'"),
    (["verify_evidence", "/nonexistent/pack.zip"], "pack.zip"),
]


@pytest.mark.parametrize(
    ("args", "message"), COMMAND_CASES, ids=lambda value: " ".join(value)[:60] if isinstance(value, list) else None
)
def test_commands_refuse_bad_arguments_clearly(known_account, args, message):
    with pytest.raises(CommandError) as refused:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())

    assert message in str(refused.value)
    assert "Traceback" not in str(refused.value)


def test_a_refused_add_account_stores_nothing(known_account):
    with pytest.raises(CommandError):
        call_command("add_account", "444455556666", "--name", "x", "--regions", "nowhere-1", stdout=io.StringIO())

    assert list(AwsAccount.objects.values_list("account_id", flat=True)) == ["111122223333"]


FORM_CASES = [
    ({"account_id": "12345"}, "account_id", "exactly 12 digits"),
    ({"role_arn": "arn:aws:s3:::bucket"}, "role_arn", "not an IAM role ARN"),
    ({"role_arn": "arn:aws:iam::999988887777:role/Audit"}, "role_arn", "same account"),
    ({"external_id": "white space"}, "external_id", "ExternalId is 2 to 1224 characters"),
    ({"name": ""}, "name", "required"),
]


@pytest.mark.parametrize(("changes", "field", "message"), FORM_CASES, ids=lambda v: str(v)[:40])
def test_the_add_account_form_explains_each_bad_field(client_as, changes, field, message):
    data = {
        "account_id": "444455556666",
        "name": "prod",
        "role_arn": "arn:aws:iam::444455556666:role/Audit",
        "external_id": "posture-external-id",
        "regions": ["us-east-1"],
        "scan_interval_minutes": 360,
        "labels": "",
        **changes,
    }

    response = client_as("admin").post(reverse("accounts:add"), data)

    assert response.status_code == 200  # re-rendered with errors, nothing stored
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not AwsAccount.objects.filter(account_id="444455556666").exists()
