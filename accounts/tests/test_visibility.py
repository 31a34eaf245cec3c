"""accounts.visibility: who sees which accounts — admins and "all accounts" everything, others their teams'."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import ValidationError

from accounts.models import AwsAccount, Team
from accounts.tests.factories import AwsAccountFactory, TeamFactory
from accounts.visibility import (
    ALL_ACCOUNTS,
    may_see,
    only_visible,
    sees_all_accounts,
    set_sees_all_accounts,
    visible_account_ids,
    visible_accounts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    payments, hr = TeamFactory(name="payments"), TeamFactory(name="hr")
    pay, pay2, people, orphan = AwsAccountFactory.create_batch(4)
    payments.accounts.add(pay, pay2)
    hr.accounts.add(people, pay2)  # an account may belong to two teams
    return {"payments": payments, "hr": hr, "pay": pay, "pay2": pay2, "people": people, "orphan": orphan}


def person(name, *groups, teams=()):
    user = User.objects.create_user(name)
    for group in groups:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    for team in teams:
        team.members.add(user)
    return User.objects.get(pk=user.pk)  # fresh: no cached groups


def ids(accounts):
    return sorted(accounts.values_list("account_id", flat=True))


def test_a_member_sees_the_accounts_of_their_teams_once(estate):
    viewer = person("pat", "viewer", teams=[estate["payments"], estate["hr"]])
    expected = sorted(estate[key].account_id for key in ("pay", "pay2", "people"))

    assert ids(visible_accounts(viewer)) == expected
    assert visible_accounts(viewer).count() == 3  # pay2 is in both teams, counted once


def test_a_member_of_one_team_does_not_see_the_other(estate):
    viewer = person("pat", "operator", teams=[estate["payments"]])

    assert ids(visible_accounts(viewer)) == sorted([estate["pay"].account_id, estate["pay2"].account_id])
    assert not may_see(viewer, estate["people"])
    assert not may_see(viewer, estate["orphan"])
    assert may_see(viewer, estate["pay"])


def test_nobody_without_a_team_sees_an_account(estate):
    assert ids(visible_accounts(person("loner", "viewer"))) == []
    assert ids(visible_accounts(AnonymousUser())) == []
    assert list(visible_account_ids(AnonymousUser())) == []


@pytest.mark.parametrize("groups", [("admin",), ("viewer", ALL_ACCOUNTS), (ALL_ACCOUNTS,)])
def test_admins_and_all_accounts_people_see_everything(estate, groups):
    user = person("boss", *groups)

    assert sees_all_accounts(user)
    assert visible_accounts(user).count() == AwsAccount.objects.count() == 4


def test_a_superuser_sees_everything(estate):
    user = User.objects.create_superuser("root")

    assert ids(visible_accounts(user)) == ids(AwsAccount.objects.all())


def test_an_inactive_or_anonymous_user_sees_nothing_even_when_marked(estate):
    assert not sees_all_accounts(AnonymousUser())
    assert ids(only_visible(AwsAccount.objects.all(), AnonymousUser(), field="pk")) == []


def test_only_visible_narrows_any_queryset_by_its_account_field(estate):
    viewer = person("pat", "viewer", teams=[estate["hr"]])
    teams_of_accounts = Team.accounts.through.objects.all()

    narrowed = only_visible(teams_of_accounts, viewer, field="awsaccount")

    assert sorted({row.awsaccount.account_id for row in narrowed}) == sorted(
        [estate["people"].account_id, estate["pay2"].account_id]
    )


def test_set_sees_all_accounts_turns_the_flag_on_and_off(estate):
    viewer = person("pat", "viewer", teams=[estate["hr"]])

    set_sees_all_accounts(viewer, True)
    assert visible_accounts(viewer).count() == 4
    set_sees_all_accounts(viewer, False)
    assert visible_accounts(viewer).count() == 2


def test_visible_accounts_adds_no_query_of_its_own(estate, django_assert_num_queries):
    viewer = person("pat", "viewer", teams=[estate["payments"]])
    with django_assert_num_queries(1):  # the user's groups, read once
        accounts = visible_accounts(viewer)
        visible_accounts(viewer)
    with django_assert_num_queries(1):
        assert len(list(accounts)) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "cannot be blank"),
        ("name", " payments", "1 to 64"),
        ("name", "a/b", "1 to 64"),
        ("webhook_url", "http://hooks.example.com/x", "https://"),
        ("webhook_url", "ftp://hooks.example.com/x", "https://"),
    ],
)
def test_invalid_team_fields_get_clear_errors(field, value, message):
    team = Team(name="payments", webhook_url="https://hooks.example.com/t")
    setattr(team, field, value)
    with pytest.raises(ValidationError) as raised:
        team.full_clean()
    assert message in str(raised.value)


def test_the_all_accounts_group_exists_from_the_first_migrate():
    assert Group.objects.filter(name=ALL_ACCOUNTS).exists()
