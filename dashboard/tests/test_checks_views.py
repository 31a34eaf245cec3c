"""The check catalog page and one check's page with its failing resources."""

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Team
from accounts.tests.factories import AwsAccountFactory
from accounts.visibility import sees_all_accounts
from checks.catalog import CATALOG
from checks.catalog.base import Area, Status
from checks.models import CheckCount, Finding
from dashboard.tests.factories import FindingFactory, SuppressionFactory
from dashboard.views.catalog import catalog_by_area, check_tallies, failing_accounts, status_counts

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:checks")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def check_id():
    return next(iter(CATALOG))


@pytest.fixture
def estate(check_id):
    """25 accounts: the first check fails in 20 of them and passes in 5; one error; one closed failure."""
    accounts = AwsAccountFactory.create_batch(25)
    for index, account in enumerate(accounts):
        FindingFactory(resource__account=account, check_id=check_id, status=Status.FAIL if index < 20 else Status.PASS)
    FindingFactory(resource__account=accounts[0], check_id=check_id, status=Status.ERROR)
    FindingFactory(resource__account=accounts[1], check_id=check_id, status=Status.FAIL, closed_at="2026-01-01T00:00Z")
    return accounts


def test_catalog_lists_every_check_by_area_with_counts(client_as, estate, check_id, django_assert_max_num_queries):
    client = client_as("viewer")
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    groups = response.context["groups"]
    listed = [row["check"].id for _, _, rows in groups for row in rows]
    assert sorted(listed) == sorted(CATALOG)
    areas = [area for _, area, _ in groups]
    assert areas == [area for area in Area if area in areas]  # Area order
    row = next(row for _, _, rows in groups for row in rows if row["check"].id == check_id)
    assert (row["failed"], row["passed"], row["errors"]) == (20, 5, 1)  # the closed failure is not counted
    assert row["failing_accounts"] == 20
    text = response.content.decode()
    assert reverse("dashboard:check", args=[check_id]) in text


def test_catalog_keeps_the_catalog_order_inside_an_area():
    groups = catalog_by_area({}, {})
    for _, area, rows in groups:
        ids = [row["check"].id for row in rows]
        assert ids == [check.id for check in CATALOG.values() if check.area == area]


def test_check_tallies_of_every_account_are_one_query(client_as, estate, check_id, django_assert_num_queries):
    user = client_as("viewer").user
    sees_all_accounts(user)  # the user's groups, read once per request whatever the page
    with django_assert_num_queries(1):
        tallies = check_tallies(user)
    assert status_counts(tallies)[check_id] == {"FAIL": 20, "PASS": 5, "ERROR": 1}
    assert failing_accounts(tallies)[check_id] == 20
    summed = CheckCount.objects.order_by().values_list("check_id", "status")  # the totals agree with the counts
    assert sorted(tallies) == sorted(summed.annotate(total=Sum("count"), accounts=Count("*")))


def test_check_tallies_of_a_team_are_one_query(client_as, estate, check_id, django_assert_num_queries):
    team = Team.objects.create(name="first ten")
    team.accounts.set(estate[:10])  # the error's account is one of them
    user = client_as("viewer", [team]).user
    sees_all_accounts(user)  # the user's groups, read once per request whatever the page
    with django_assert_num_queries(1):
        tallies = check_tallies(user)
    assert status_counts(tallies)[check_id] == {"FAIL": 10, "ERROR": 1}
    assert failing_accounts(tallies)[check_id] == 10


def test_check_page_shows_metadata_and_failing_resources(client_as, estate, check_id, django_assert_max_num_queries):
    check = CATALOG[check_id]
    client = client_as("viewer")
    with django_assert_max_num_queries(22):  # the failing rows walk about ten chunks of accounts
        response = client.get(reverse("dashboard:check", args=[check_id]))
    assert response.status_code == 200
    text = response.content.decode()
    # Escaped as the template escapes them: a rationale may quote the console ('Override client-side settings').
    assert escape(check.title) in text
    assert escape(check.rationale) in text
    assert response.context["tally"] == {"passed": 5, "failed": 20, "errors": 1, "not_applicable": 0}
    rows = response.context["page"].rows
    assert len(rows) == 20
    assert {f.status for f in rows} == {"FAIL"}
    assert [f.account.name for f in rows] == sorted(f.account.name for f in rows)


def test_failing_resources_page_by_htmx(client_as, estate, check_id, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr("dashboard.views.catalog.FAILING_PER_PAGE", 8)
    client = client_as("viewer")
    url = reverse("dashboard:check", args=[check_id])
    seen = []
    response = client.get(url)
    seen += [f.pk for f in response.context["page"].rows]
    while response.context["links"]["next"]:
        next_url = response.context["links"]["next"]
        with django_assert_max_num_queries(20):
            fragment = client.get(next_url, headers=HTMX)
        text = fragment.content.decode()
        assert 'id="check-failing"' in text
        assert "<html" not in text
        response = client.get(next_url)
        seen += [f.pk for f in response.context["page"].rows]
    failing = Finding.objects.failing().filter(check_id=check_id)
    assert sorted(seen) == sorted(failing.values_list("pk", flat=True))  # 20 failing, 8 a page: 3 pages


def test_muted_failures_are_marked(client_as, estate, check_id):
    finding = FindingFactory(
        check_id=check_id,
        status=Status.FAIL,
        resource__name="muted-one",
        suppression=SuppressionFactory(check_id=check_id),
    )
    text = client_as("viewer").get(reverse("dashboard:check", args=[check_id])).content.decode()
    assert finding.resource.name in text
    assert "Muted" in text


def test_unknown_check_is_404(client_as):
    client = client_as("viewer")
    assert client.get(reverse("dashboard:check", args=["s3.no_such_check"])).status_code == 404
    assert client.get("/checks/%3Cscript%3E/").status_code == 404


def test_bad_cursor_still_answers(client_as, estate, check_id):
    response = client_as("viewer").get(reverse("dashboard:check", args=[check_id]), {"after": "abc", "page": "x"})
    assert response.status_code == 200


def test_hostile_resource_name_on_a_check_page_renders_escaped(client_as, check_id):
    FindingFactory(check_id=check_id, status=Status.FAIL, resource__name="<script>alert(1)</script>")
    text = client_as("viewer").get(reverse("dashboard:check", args=[check_id])).content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


def test_user_without_a_role_is_refused(client_as, check_id):
    client = client_as(None)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("dashboard:check", args=[check_id])).status_code == 403
