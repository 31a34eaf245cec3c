"""Teams by hand: `manage.py team` (all or nothing, clear errors), the Teams page (admins only, CSRF,
audited), the team field of the account form; and at discovery from Organizations OUs and labels (moto)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts import organizations, sessions
from accounts.models import AwsAccount, Team
from accounts.tests.factories import AwsAccountFactory, TeamFactory
from conftest import MOTO_ACCOUNT, deny
from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    return [AwsAccountFactory(account_id=f"11111111111{n}", name=f"acct-{n}") for n in range(3)]


def members_of(team):
    return sorted(team.members.values_list("username", flat=True))


def accounts_of(team):
    return sorted(team.accounts.values_list("account_id", flat=True))


# --- manage.py team --------------------------------------------------------------------------------------


def test_team_command_creates_then_updates(accounts, capsys):
    User.objects.create_user("pat")
    User.objects.create_user("sam")

    call_command("team", "payments", "--accounts", "111111111110", "111111111111", "--members", "pat")
    team = Team.objects.get(name="payments")
    assert accounts_of(team) == ["111111111110", "111111111111"]
    assert members_of(team) == ["pat"]
    assert "Created team payments" in capsys.readouterr().out

    call_command("team", "payments", "--accounts", "111111111112")  # members untouched without --members
    assert accounts_of(team) == ["111111111112"]
    assert members_of(team) == ["pat"]
    call_command("team", "payments", "--accounts", "111111111112", "--members", "sam", "pat")
    assert members_of(team) == ["pat", "sam"]
    assert "Updated team payments" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--accounts", "111111111110", "999999999999"], "Unknown account id(s): 999999999999"),
        (["--accounts", "111111111110", "--members", "pat", "nobody"], "Unknown user(s): nobody"),
        (["--accounts", "111111111110", "--delete"], "--delete takes no"),
        ([], "--accounts ACCOUNT_ID"),
    ],
)
def test_team_command_changes_nothing_on_bad_input(accounts, arguments, message):
    User.objects.create_user("pat")
    team = TeamFactory(name="payments")
    team.accounts.add(accounts[2])

    with pytest.raises(CommandError) as refused:
        call_command("team", "payments", *arguments)

    assert message in str(refused.value)
    assert accounts_of(team) == ["111111111112"]
    assert members_of(team) == []


def test_team_command_refuses_a_bad_name_and_creates_nothing(accounts):
    with pytest.raises(CommandError, match="team name"):
        call_command("team", "pay/ments", "--accounts", "111111111110")
    assert not Team.objects.exists()


def test_team_command_deletes_and_says_when_there_is_nothing_to_delete(accounts):
    TeamFactory(name="payments").accounts.add(accounts[0])

    call_command("team", "payments", "--delete")

    assert not Team.objects.exists()
    assert AwsAccount.objects.count() == 3  # the accounts stay
    with pytest.raises(CommandError, match="No team is named 'payments'"):
        call_command("team", "payments", "--delete")


# --- the Teams page and the account form -------------------------------------------------------------------


def test_teams_page_is_for_admins_only(client_as, accounts):
    team = TeamFactory(name="payments")
    client = client_as("operator")
    for url in (reverse("accounts:teams"), reverse("accounts:team_add"), reverse("accounts:team_edit", args=[team.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("accounts:team_delete", args=[team.pk])).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_an_admin_creates_edits_and_deletes_a_team_audited(client_as, accounts):
    pat = User.objects.create_user("pat")
    client = client_as("admin")

    response = client.post(
        reverse("accounts:team_add"),
        {"name": "payments", "accounts": [accounts[0].pk], "members": [pat.pk], "webhook_url": ""},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="payments")
    assert accounts_of(team) == ["111111111110"] and members_of(team) == ["pat"]
    page = client.get(reverse("accounts:teams")).content.decode()
    assert "payments" in page and "acct-0" in page and "pat" in page

    client.post(
        reverse("accounts:team_edit", args=[team.pk]),
        {"name": "payments", "accounts": [accounts[1].pk, accounts[2].pk], "members": [], "webhook_url": ""},
    )
    assert accounts_of(team) == ["111111111111", "111111111112"] and members_of(team) == []

    client.post(reverse("accounts:team_delete", args=[team.pk]))
    assert not Team.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "target"))
    assert [entry for entry in actions if entry[0].startswith("team_")] == [
        ("team_added", "team payments"),
        ("team_changed", "team payments"),
        ("team_deleted", "team payments"),
    ]


def test_the_team_form_shows_clear_errors_and_saves_nothing(client_as, accounts, settings):
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = False
    TeamFactory(name="payments")
    client = client_as("admin")

    response = client.post(
        reverse("accounts:team_add"), {"name": "payments", "webhook_url": "http://hooks.example.com/x"}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in text and "https://" in text
    assert Team.objects.count() == 1


def test_team_pages_need_csrf(accounts):
    admin = User.objects.create_superuser("boss")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    team = TeamFactory(name="payments")

    assert client.post(reverse("accounts:team_add"), {"name": "hr"}).status_code == 403
    assert client.post(reverse("accounts:team_delete", args=[team.pk])).status_code == 403
    assert list(Team.objects.values_list("name", flat=True)) == ["payments"]


def test_the_account_form_puts_an_account_into_teams(client_as, accounts):
    payments, hr = TeamFactory(name="payments"), TeamFactory(name="hr")
    account = accounts[0]
    client = client_as("admin")
    form = {
        "name": account.name,
        "role_arn": "",
        "external_id": "",
        "regions": ["us-east-1"],
        "labels": "",
        "scan_interval_minutes": 60,
        "is_enabled": "on",
        "teams": [payments.pk, hr.pk],
    }

    assert client.post(reverse("accounts:edit", args=[account.pk]), form).status_code == 302
    assert sorted(account.teams.values_list("name", flat=True)) == ["hr", "payments"]
    page = client.get(reverse("accounts:edit", args=[account.pk])).text
    assert re.search(rf'name="teams" value="{payments.pk}"[^>]* checked', page)

    client.post(reverse("accounts:edit", args=[account.pk]), {**form, "teams": [hr.pk]})
    assert list(account.teams.values_list("name", flat=True)) == ["hr"]
    assert "Teams: hr" in client.get(reverse("accounts:list")).text


# --- discovery -------------------------------------------------------------------------------------------


def test_discovery_joins_teams_named_like_an_ou_or_by_the_team_label(aws):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    payments_ou = org.create_organizational_unit(ParentId=root, Name="Payments")["OrganizationalUnit"]["Id"]
    cards_ou = org.create_organizational_unit(ParentId=payments_ou, Name="cards")["OrganizationalUnit"]["Id"]
    made = {
        name: org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        for name in ("card-prod", "ledger", "hr-prod", "sandbox")
    }
    org.move_account(AccountId=made["card-prod"], SourceParentId=root, DestinationParentId=cards_ou)
    org.move_account(AccountId=made["ledger"], SourceParentId=root, DestinationParentId=payments_ou)
    AwsAccountFactory(account_id=made["hr-prod"], name="hr-prod", labels={"team": "HR"})  # labelled by hand
    payments, cards, hr, other = (TeamFactory(name=name) for name in ("payments", "cards", "hr", "other"))
    other.accounts.add(AwsAccount.objects.get(account_id=made["hr-prod"]))  # a hand-made membership stays

    found = organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42")

    assert accounts_of(payments) == sorted([made["card-prod"], made["ledger"]])  # the OU and the one inside it
    assert accounts_of(cards) == [made["card-prod"]]
    assert accounts_of(hr) == [made["hr-prod"]]
    assert accounts_of(other) == [made["hr-prod"]]
    assert not AwsAccount.objects.get(account_id=made["sandbox"]).teams.exists()
    assert sorted(found.joined[made["card-prod"]]) == ["cards", "payments"]
    assert AwsAccount.objects.get(account_id=made["ledger"]).parent_id == payments_ou


def test_discovery_joins_the_team_posture_team_ous_names_for_an_ou_id(aws, settings):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    inner = org.create_organizational_unit(ParentId=ou, Name="Prod")["OrganizationalUnit"]["Id"]
    account_id = org.create_account(AccountName="ledger", Email="l@example.com")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=inner)
    settings.TEAM_OUS = {ou: "Payments"}
    payments = TeamFactory(name="payments")

    organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42")

    assert accounts_of(payments) == [account_id]  # mapped by the id of an OU above its own


def test_discovery_without_teams_reads_no_ous(aws, monkeypatch):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    org.create_account(AccountName="lonely", Email="lonely@example.com")
    monkeypatch.setattr(organizations, "organizational_units", lambda *args: pytest.fail("read OUs"))

    found = organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42")

    assert found.created and found.joined == {}


def test_discovery_goes_on_when_the_ous_cannot_be_read(aws, monkeypatch):
    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    account_id = org.create_account(AccountName="ledger", Email="l@example.com")["CreateAccountStatus"]["AccountId"]
    AwsAccountFactory(account_id=account_id, labels={"team": "payments"})
    payments = TeamFactory(name="payments")
    deny(aws.session, "organizations", "ListParents")
    monkeypatch.setattr(sessions, "own_session", lambda: aws.session)

    organizations.discover(MOTO_ACCOUNT, "AuditRole", "ext-42")

    assert accounts_of(payments) == [account_id]  # the label still counts
