from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from dashboard.tests.factories import FindingEventFactory, FindingFactory

pytestmark = pytest.mark.django_db


def history(finding, *steps):
    """steps: (days ago, old, new)."""
    now = timezone.now()
    for days, old, new in steps:
        FindingEventFactory(finding=finding, at=now - timedelta(days=days), old_status=old, new_status=new)


def test_changes_between_two_dates_are_classified_per_account(client_as, django_assert_max_num_queries):
    accounts = AwsAccountFactory.create_batch(25)
    for account in accounts:
        history(
            FindingFactory(resource__account=account, resource__name="regressed"), (20, "", "PASS"), (2, "PASS", "FAIL")
        )
        history(
            FindingFactory(resource__account=account, resource__name="fixed"), (20, "", "FAIL"), (3, "FAIL", "PASS")
        )
        history(
            FindingFactory(resource__account=account, resource__name="went-away"), (20, "", "PASS"), (1, "PASS", "")
        )
        history(
            FindingFactory(resource__account=account, resource__name="flapped"),
            (20, "", "PASS"),
            (4, "PASS", "FAIL"),
            (2, "FAIL", "PASS"),
        )  # failed and was fixed inside the window: under both
    client = client_as("viewer")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dashboard:changes"))
    assert response.status_code == 200
    text = response.text
    assert text.count(">regressed<") == 25 and text.count(">fixed<") == 25 and text.count(">went-away<") == 25
    assert text.count(">flapped<") == 50
    assert response.context["totals"] == {"newly failing": 50, "fixed": 50, "appeared": 0, "disappeared": 25}


def test_changes_fragment_and_bad_dates(client_as):
    client = client_as("viewer")
    response = client.get(
        reverse("dashboard:changes"), {"start": "2026-02-30", "end": "2999-01-01"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="changes-list"' in response.text and "<html" not in response.text
    assert "future" in response.text


def test_a_start_older_than_the_kept_history_is_refused(client_as, settings):
    settings.HISTORY_RETENTION_DAYS = 400
    old = (timezone.now() - timedelta(days=401)).date().isoformat()

    response = client_as("viewer").get(reverse("dashboard:changes"), {"start": old})

    assert response.status_code == 200
    assert "keeps 400 days of history" in response.text
