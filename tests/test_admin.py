"""Django's admin shows accounts, organizations, scans, mutes and SSO identities but changes none of them: their
changes go through the pages (or sign-ins), which enforce the limits (a mute's expiry cap, one account's scope) and
write the audit log. Deleting an account, which no page does, is a superuser's and is audited."""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from accounts.models import AwsAccount, Organization
from accounts.tests.factories import AwsAccountFactory
from checks import totals
from checks.models import CheckTotal, OwnerTotal, Scan, Suppression
from dashboard.models import AuditEntry, SsoIdentity
from dashboard.tests.factories import FindingFactory, ScanFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # noqa: S105 - a test user's password


@pytest.fixture
def superuser(client):
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    client.force_login(boss)
    return client


@pytest.fixture
def rows():
    account = AwsAccountFactory(name="payments-prod")
    organization = Organization.objects.create(
        org_id="o-abcdefghij", management_account_id="111122223333", role_name="PostureAudit"
    )
    return {
        "accounts_awsaccount": account,
        "accounts_organization": organization,
        "checks_scan": ScanFactory(account=account),
        "checks_suppression": SuppressionFactory(account=account, justification="accepted for now"),
        "dashboard_ssoidentity": SsoIdentity.objects.create(
            user=User.objects.create_user("dana@example.com"), issuer="https://idp.example.com", subject="00u-dana"
        ),
    }


MODELS = ["accounts_awsaccount", "accounts_organization", "checks_scan", "checks_suppression", "dashboard_ssoidentity"]


@pytest.mark.parametrize("model", MODELS)
def test_the_admin_lists_and_shows_the_rows(superuser, rows, model):
    assert superuser.get(reverse(f"admin:{model}_changelist")).status_code == 200
    page = superuser.get(reverse(f"admin:{model}_change", args=[rows[model].pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.text  # shown, not editable


@pytest.mark.parametrize("model", MODELS)
def test_the_admin_adds_nothing(superuser, rows, model):
    assert superuser.get(reverse(f"admin:{model}_add")).status_code == 403


@pytest.mark.parametrize("model", MODELS)
def test_the_admin_changes_nothing(superuser, rows, model):
    row = rows[model]
    before = {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}

    response = superuser.post(reverse(f"admin:{model}_change", args=[row.pk]), {"name": "renamed", "_save": "Save"})

    assert response.status_code == 403
    row.refresh_from_db()
    assert {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields} == before


@pytest.mark.parametrize(
    "model", ["accounts_organization", "checks_scan", "checks_suppression", "dashboard_ssoidentity"]
)
def test_the_admin_deletes_no_history(superuser, rows, model):
    row = rows[model]

    response = superuser.post(reverse(f"admin:{model}_delete", args=[row.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_no_mute_for_every_account_without_an_expiry_cap_through_the_admin(superuser):
    """The Findings pages cap a mute's expiry and scope it to an account; the admin must not bypass them."""
    response = superuser.post(
        reverse("admin:checks_suppression_add"),
        {
            "check_id": "s3.bucket_default_encryption",
            "account": "",
            "resource_pattern": "*",
            "justification": "forever, everywhere",
            "expires_at_0": "2999-12-31",
            "expires_at_1": "00:00:00",
            "created_at_0": timezone.now().strftime("%Y-%m-%d"),
            "created_at_1": "00:00:00",
        },
    )

    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_deleting_an_account_is_a_superusers_and_is_audited(superuser, rows):
    account = rows["accounts_awsaccount"]

    response = superuser.post(
        reverse("admin:accounts_awsaccount_delete", args=[account.pk]), {"post": "yes"}, REMOTE_ADDR="10.9.8.7"
    )

    assert response.status_code == 302
    assert not AwsAccount.objects.filter(pk=account.pk).exists()
    assert not Scan.objects.filter(account_id=account.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_DELETED)
    assert (entry.username, entry.address) == ("boss", "10.9.8.7")
    assert "payments-prod" in entry.target
    assert entry.details["account_id"] == account.account_id


def test_staff_with_every_permission_but_not_superuser_cannot_delete_an_account(client, rows):
    staff = User.objects.create_user("staff", password=PASSWORD, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["accounts", "checks"]))
    client.force_login(staff)
    account = rows["accounts_awsaccount"]

    response = client.post(reverse("admin:accounts_awsaccount_delete", args=[account.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert AwsAccount.objects.filter(pk=account.pk).exists()


def test_the_bulk_delete_action_is_audited_per_account(superuser):
    accounts = [AwsAccountFactory(name=f"closed-{number}") for number in range(3)]

    superuser.post(
        reverse("admin:accounts_awsaccount_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in accounts], "post": "yes"},
    )

    assert not AwsAccount.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_DELETED).count() == 3


@pytest.mark.parametrize("how", ["admin, one", "admin, bulk", "queryset"])
def test_deleting_accounts_takes_their_counts_out_of_the_totals(superuser, how, django_capture_on_commit_callbacks):
    kept, *closed = AwsAccountFactory.create_batch(3)
    for account in (kept, *closed):
        FindingFactory(resource__account=account, status="FAIL")  # counted, its resource too
    assert CheckTotal.objects.get(status="FAIL").accounts == OwnerTotal.objects.get().accounts == 3

    with (
        mock.patch("checks.totals.retotal", wraps=totals.retotal) as retotal,
        django_capture_on_commit_callbacks(execute=True),
    ):
        if how == "admin, bulk":
            superuser.post(
                reverse("admin:accounts_awsaccount_changelist"),
                {"action": "delete_selected", "_selected_action": [a.pk for a in closed], "post": "yes"},
            )
        elif how == "admin, one":
            for account in closed:
                superuser.post(reverse("admin:accounts_awsaccount_delete", args=[account.pk]), {"post": "yes"})
        else:  # as from a shell: no admin involved
            AwsAccount.objects.filter(pk__in=[a.pk for a in closed]).delete()

    assert retotal.call_count == 1  # once for the (test's one) transaction, not once per account

    assert list(AwsAccount.objects.all()) == [kept]
    assert list(CheckTotal.objects.values_list("check_id", "status", "count", "accounts")) == [
        ("s3.bucket_default_encryption", "FAIL", 1, 1)
    ]
    assert list(OwnerTotal.objects.values_list("type", "key_owner", "count", "accounts")) == [
        ("s3.bucket", "aws_owned", 1, 1)
    ]
