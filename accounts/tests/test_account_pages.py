import pytest
from django.urls import reverse

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from conftest import MOTO_ACCOUNT
from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_account_list_is_for_admins_only(client_as):
    assert client_as("operator").get(reverse("accounts:list")).status_code == 403


def test_account_list_has_no_n_plus_one(client_as, django_assert_max_num_queries):
    AwsAccountFactory.create_batch(30)
    client = client_as("admin")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("accounts:list"))
    assert response.status_code == 200
    assert response.text.count('id="account-row-') == 30


def test_adding_an_account_validates_and_audits(client_as):
    client = client_as("admin")
    bad = client.post(
        reverse("accounts:add"),
        {"account_id": "123", "name": "x", "regions": ["us-east-1"], "scan_interval_minutes": 60},
    )
    assert bad.status_code == 200 and "exactly 12 digits" in bad.text
    good = client.post(
        reverse("accounts:add"),
        {
            "account_id": "123456789012",
            "name": "prod",
            "role_arn": "arn:aws:iam::123456789012:role/Audit",
            "external_id": "ext-1",
            "regions": ["eu-west-1", "us-east-1"],
            "labels": "env=prod, team=pay",
            "scan_interval_minutes": 60,
            "is_enabled": "on",
        },
    )
    assert good.status_code == 302
    account = AwsAccount.objects.get(account_id="123456789012")
    assert account.labels == {"env": "prod", "team": "pay"}
    assert AuditEntry.objects.filter(action="account_added", target__contains="123456789012").exists()


def test_account_names_with_markup_are_escaped(client_as):
    AwsAccountFactory(name="<script>alert(1)</script>")
    text = client_as("admin").get(reverse("accounts:list")).text
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text


def test_connection_test_shows_the_error_plainly_in_the_row(aws, client_as):
    account = AwsAccountFactory(account_id="210987654321", role_arn="")
    response = client_as("admin").post(reverse("accounts:test", args=[account.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="account-row-{account.pk}"' in response.text and "<html" not in response.text
    assert "Cannot connect" in response.text and "210987654321" in response.text


def test_connection_test_succeeds_for_own_account(aws, client_as):
    account = AwsAccountFactory(account_id=MOTO_ACCOUNT, role_arn="")
    response = client_as("admin").post(reverse("accounts:test", args=[account.pk]), headers={"HX-Request": "true"})
    assert "Connected" in response.text


def test_discover_form_reports_failure_without_losing_input(aws, client_as):
    response = client_as("admin").post(
        reverse("accounts:discover"),
        {"management_account_id": MOTO_ACCOUNT, "role_name": "Audit", "external_id": "ext-9"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Discovery failed" in response.text and 'value="ext-9"' in response.text


def test_cloudformation_template_downloads(client_as):
    response = client_as("admin").get(reverse("accounts:cloudformation"))
    assert response.status_code == 200
    assert b"sts:ExternalId" in b"".join(response.streaming_content)
