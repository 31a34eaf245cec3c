"""Net changes read the window's events alone: exact totals, a bounded list, statuses from the event chain."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from dashboard import changes
from dashboard.tests.factories import FindingEventFactory, FindingFactory

pytestmark = pytest.mark.django_db


def history(finding, *steps):
    """steps: (days ago, old, new), as recording writes them."""
    now = timezone.now()
    for days, old, new in steps:
        FindingEventFactory(finding=finding, at=now - timedelta(days=days), old_status=old, new_status=new)


def test_totals_count_every_change_while_the_list_stops_at_the_limit(client_as, monkeypatch):
    monkeypatch.setattr(changes, "LIMIT", 2)
    account = AwsAccountFactory(name="zeta")
    for n in range(5):
        history(
            FindingFactory(resource__account=account, resource__name=f"regressed-{n}"),
            (30, "", "PASS"),
            (2, "PASS", "FAIL"),
        )

    response = client_as("viewer").get(reverse("dashboard:changes"))

    assert response.context["totals"]["newly failing"] == 5
    assert response.text.count(">regressed-") == 2
    assert "Showing the first 2 of 5" in response.text


def test_statuses_then_and_now_follow_the_events_inside_the_window():
    now = timezone.now()
    account = AwsAccountFactory()
    flapped = FindingFactory(resource__account=account)
    history(flapped, (40, "", "FAIL"), (5, "FAIL", "PASS"), (3, "PASS", "FAIL"), (1, "FAIL", "PASS"))
    appeared = FindingFactory(resource__account=account)
    history(appeared, (4, "", "FAIL"))
    gone = FindingFactory(resource__account=account)
    history(gone, (40, "", "PASS"), (2, "PASS", ""))

    grouped, totals = changes.net_changes(now - timedelta(days=7), now)

    assert totals == {"newly failing": 0, "fixed": 1, "appeared": 1, "disappeared": 1}
    [fixed] = grouped["fixed"][account]
    assert (fixed.pk, fixed.before, fixed.after) == (flapped.pk, "FAIL", "PASS")
    assert [finding.pk for finding in grouped["appeared"][account]] == [appeared.pk]
    assert [finding.after for finding in grouped["disappeared"][account]] == [""]
