"""A team member's pages cost the same number of queries whether their teams hold 2 accounts or 12: the
visibility filter is a subquery, never a query per account."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AwsAccountFactory, TeamFactory
from dashboard.tests.factories import AreaScoreFactory, FindingFactory, KmsKeyFactory, ResourceFactory, ScanFactory

pytestmark = pytest.mark.django_db

PAGES = ["dashboard:overview", "dashboard:findings", "dashboard:keys", "dashboard:checks", "dashboard:changes"]


def seed(team, count):
    for account in AwsAccountFactory.create_batch(count):
        team.accounts.add(account)
        AreaScoreFactory(scan=ScanFactory(account=account))
        key = KmsKeyFactory(account=account)
        FindingFactory(resource=ResourceFactory(account=account, kms_key_arn=key.uid))
    for account in AwsAccountFactory.create_batch(3):  # another team's: never counted, never shown
        FindingFactory(resource=ResourceFactory(account=account))


def queries(client, name):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_a_team_members_pages_do_not_grow_with_their_accounts(client_as, name):
    team = TeamFactory(name="payments")
    client = client_as("viewer", teams=[team])
    seed(team, 2)
    few = queries(client, name)
    seed(team, 10)

    assert queries(client, name) == few


def test_the_account_page_of_a_team_member_keeps_its_budget(client_as, django_assert_max_num_queries):
    team = TeamFactory(name="payments")
    seed(team, 3)
    client = client_as("viewer", teams=[team])
    account = team.accounts.first()

    with django_assert_max_num_queries(16):  # the budget test_overview_account holds for everyone
        assert client.get(reverse("dashboard:account", args=[account.pk])).status_code == 200
