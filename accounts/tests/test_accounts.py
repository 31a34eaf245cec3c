"""Accounts: validation with clear errors, sessions by AssumeRole, discovery, connection tests."""

import os
from concurrent.futures import ThreadPoolExecutor

import botocore.loaders
import botocore.utils
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import organizations, sessions
from accounts.models import AwsAccount, Organization
from accounts.tests.factories import AwsAccountFactory
from conftest import MOTO_ACCOUNT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_id", "12345", "exactly 12 digits"),
        ("account_id", "12345678901a", "exactly 12 digits"),
        ("role_arn", "arn:aws:iam::123456789012:user/bob", "not an IAM role ARN"),
        ("role_arn", "arn:aws:iam::999999999999:role/Audit", "same account"),
        ("external_id", "x", "2 to 1224"),
        ("external_id", "has space", "2 to 1224"),
        ("regions", ["us-east-1", "mars-north-1"], "mars-north-1"),
        ("regions", [], "cannot be blank"),
    ],
)
def test_invalid_account_fields_get_clear_errors(field, value, message):
    account = AwsAccount(account_id="123456789012", name="x", role_arn="arn:aws:iam::123456789012:role/Audit")
    setattr(account, field, value)
    with pytest.raises(ValidationError) as raised:
        account.full_clean()
    assert message in str(raised.value)


def test_valid_account_passes_validation():
    account = AwsAccount(
        account_id="123456789012",
        name="prod",
        role_arn="arn:aws:iam::123456789012:role/Audit",
        external_id="posture-ext:1/a@b",
        regions=["us-east-1", "eu-west-1"],
    )
    account.full_clean()


def test_client_config_uses_adaptive_retries_and_finite_timeouts(settings):
    settings.AWS_MAX_ATTEMPTS = 7
    config = sessions.client_config()
    assert config.retries == {"mode": "adaptive", "max_attempts": 7}
    assert config.connect_timeout == settings.AWS_CONNECT_TIMEOUT
    assert config.read_timeout == settings.AWS_READ_TIMEOUT


def test_call_log_counts_the_same_call_from_two_clients_as_a_repeat_and_other_calls_apart(aws):
    for name in ("one", "two"):
        aws.client("s3").create_bucket(Bucket=name)
    log = sessions.CallLog()
    for _ in range(2):  # a client per use, as collectors make them: the repeat must still show
        sessions.client(aws.session, "s3", "us-east-1", log).get_bucket_location(Bucket="one")
    sessions.client(aws.session, "s3", "us-east-1", log).get_bucket_location(Bucket="two")
    assert log.total == 3
    [(key, count)] = log.repeated().items()
    assert (key[:3], count) == (("s3", "us-east-1", "GetBucketLocation"), 2)
    assert "one" in key[3]


def test_assumed_session_acts_in_the_target_account_and_is_cached(aws):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(AccountName="m", Email="m@example.com")["CreateAccountStatus"]["AccountId"]
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    account = AwsAccountFactory(account_id=member, role_arn=role, external_id="ext-123")
    session = sessions.for_account(account)
    assert session.client("sts").get_caller_identity()["Account"] == member
    again = sessions.for_account(account)
    assert again.get_credentials().access_key == session.get_credentials().access_key


def test_clients_of_two_accounts_share_class_and_model_but_not_credentials_or_hooks(aws):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    members = [
        org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        for name in ("a", "b")
    ]
    logs = [sessions.CallLog(), sessions.CallLog()]
    clients = [
        sessions.client(
            sessions.assume_role_session(f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"),
            "sts",
            region,
            log,
        )
        for member, region, log in zip(members, ("us-east-1", "eu-west-1"), logs, strict=True)
    ]

    assert type(clients[0]) is type(clients[1])
    assert clients[0].meta.service_model is clients[1].meta.service_model
    assert [client.get_caller_identity()["Account"] for client in clients] == members
    assert [client.meta.region_name for client in clients] == ["us-east-1", "eu-west-1"]
    assert [(log.total, {key[1] for key in log.calls}) for log in logs] == [(1, {"us-east-1"}), (1, {"eu-west-1"})]


TIMESTAMPS = [
    "2026-12-03T07:50:47Z",  # S3's CreationDate, EC2's CreateTime
    "2026-12-03T07:50:47.123Z",
    "2026-12-03T07:50:47.123456+00:00",
    "2026-12-03T09:50:47+02:00",
    "2026-12-03T07:50:47",  # no zone: botocore's own reading
    "2026-12-03T07:50:47.123456789Z",  # nanoseconds: botocore's own reading
    "Thu, 03 Dec 2026 07:50:47 GMT",  # an HTTP date (S3's Last-Modified header)
    "1764748247.5",
    1764748247,
    1764748247.25,
]


@pytest.mark.parametrize("value", TIMESTAMPS)
def test_timestamps_read_as_botocore_reads_them(value):
    ours, botocore_s = sessions.parse_timestamp(value), botocore.utils.parse_timestamp(value)
    assert ours == botocore_s
    assert ours.utcoffset() == botocore_s.utcoffset()


def test_sessions_read_timestamps_with_posture_s_parser(aws):
    s3 = sessions.client(sessions.own_session(), "s3", "us-east-1")
    s3.create_bucket(Bucket="dated")
    created = s3.list_buckets()["Buckets"][0]["CreationDate"]
    assert created.tzinfo is not None
    factory = sessions.own_session()._session.get_component("response_parser_factory")  # noqa: SLF001
    assert factory._defaults["timestamp_parser"] is sessions.parse_timestamp  # noqa: SLF001


def test_loader_lists_services_once_when_many_threads_ask_at_once(monkeypatch):
    listed = []
    listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or listdir(path))
    botocore.loaders.create_loader().list_available_services("service-2")
    one_listing, listed[:] = len(listed), []
    loader = sessions.new_loader()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: loader.list_available_services("service-2"), range(8)))

    assert len(listed) == one_listing
    assert all(answer is answers[0] for answer in answers)


def test_account_without_role_uses_the_dashboards_own_credentials(aws):
    account = AwsAccountFactory(account_id=MOTO_ACCOUNT, role_arn="")
    assert organizations.test_connection(account)
    account.refresh_from_db()
    assert account.connection_status == AwsAccount.Connection.OK and account.last_error == ""


def test_connection_test_records_a_plain_error(aws):
    # Credentials for another account than the row claims: the test must say so, not pass.
    account = AwsAccountFactory(account_id="210987654321", role_arn="")
    assert not organizations.test_connection(account)
    account.refresh_from_db()
    assert account.connection_status == AwsAccount.Connection.ERROR
    assert "210987654321" in account.last_error


def test_discover_creates_updates_and_disables_never_deletes(aws):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    ids = [
        org.create_account(AccountName=f"team-{n}", Email=f"t{n}@example.com")["CreateAccountStatus"]["AccountId"]
        for n in range(3)
    ]
    found = organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42", regions=["eu-west-1"])
    assert {a.account_id for a in found.created} >= set(ids)
    row = AwsAccount.objects.get(account_id=ids[0])
    assert row.role_arn == f"arn:aws:iam::{ids[0]}:role/AuditRole" and row.external_id == "ext-42"
    assert row.regions == ["eu-west-1"] and row.name == "team-0"
    org.remove_account_from_organization(AccountId=ids[1])
    again = organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42")
    assert [a.account_id for a in again.disabled] == [ids[1]]
    left = AwsAccount.objects.get(account_id=ids[1])
    assert not left.is_enabled and "no longer" in left.last_error
    assert AwsAccount.objects.filter(account_id__in=ids).count() == 3


def test_add_account_command_validates_and_adds(db):
    call_command(
        "add_account",
        "123456789012",
        "--name",
        "prod",
        "--role-arn",
        "arn:aws:iam::123456789012:role/Audit",
        "--external-id",
        "ext-1",
        "--regions",
        "us-east-1,eu-west-1",
    )
    assert AwsAccount.objects.get(account_id="123456789012").regions == ["us-east-1", "eu-west-1"]
    with pytest.raises(CommandError, match="already registered"):
        call_command("add_account", "123456789012", "--name", "again")
    with pytest.raises(CommandError, match="exactly 12 digits"):
        call_command("add_account", "42", "--name", "bad")
    with pytest.raises(CommandError, match="Unknown AWS region"):
        call_command("add_account", "210987654321", "--name", "bad", "--regions", "us-east-1,nowhere-1")
    assert AwsAccount.objects.count() == 1


def test_discover_command_reports_aws_errors_plainly(aws):
    with pytest.raises(CommandError, match="Discovery failed"):
        call_command("discover_accounts", "--from", MOTO_ACCOUNT, "--role-name", "Audit")  # no organization
    with pytest.raises(CommandError, match="exactly 12 digits"):
        call_command("discover_accounts", "--from", "nope", "--role-name", "Audit")


def test_nul_in_aws_text_is_stored_as_a_replacement_character(db):
    """PostgreSQL refuses NUL in text: an organization account's name, a connection error and a scan's
    failure message from AWS keep everything else and show U+FFFD where the NUL was."""
    from checks.models import Scan

    organization = Organization.objects.create(org_id="o-nul", management_account_id=MOTO_ACCOUNT, role_name="R")
    found = organizations.sync_accounts(organization, [{"Id": "210000000001", "Name": "team\x00a"}], "R", "", None)
    account = AwsAccount.objects.get(account_id="210000000001")
    assert [row.account_id for row in found.created] == ["210000000001"]
    assert account.name == "team\ufffda"

    account.record_connection("AccessDenied: role\x00name")
    scan = Scan.objects.create(account=account, trigger=Scan.Trigger.MANUAL, status=Scan.State.RUNNING)
    scan.finish(Scan.State.FAILED, "ClientError: bad\x00text")

    account.refresh_from_db()
    scan.refresh_from_db()
    assert account.last_error == "AccessDenied: role\ufffdname"
    assert scan.error_message == "ClientError: bad\ufffdtext"
