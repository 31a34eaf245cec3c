"""Net changes read the window's events alone: exact totals, a bounded list, statuses from the event chain."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from checks.models import FindingEvent
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


# --- The database's reduction against the Python one it replaced --------------------------------------------------


def kind_of(before, after):
    if before == after:
        return None
    if not before:
        return "appeared"
    if not after:
        return "disappeared"
    if after == "FAIL":
        return "newly failing"
    return "fixed" if (before, after) == ("FAIL", "PASS") else None


def reference(start, end, accounts=None):
    """The former implementation: every event of the window read in order, reduced and ranked in Python."""
    events = FindingEvent.objects.filter(at__gt=start, at__lte=end)
    if accounts is not None:
        events = events.filter(account__in=accounts)
    spans = {}
    for finding_id, account_id, old, new in events.order_by("at", "id").values_list(
        "finding_id", "account_id", "old_status", "new_status"
    ):
        first = spans.get(finding_id)
        spans[finding_id] = (account_id, old if first is None else first[1], new)
    names = dict(AwsAccount.objects.values_list("pk", "name"))
    found = {kind: [] for kind in changes.KINDS}
    for finding_id, (account_id, before, after) in spans.items():
        if kind := kind_of(before, after):
            found[kind].append((names[account_id], account_id, finding_id, before, after))
    return {kind: sorted(rows)[: changes.LIMIT] for kind, rows in found.items()}, {k: len(v) for k, v in found.items()}


def shown(grouped):
    return {
        kind: sorted(
            (account.name, account.pk, finding.pk, finding.before, finding.after)
            for account, findings in accounts.items()
            for finding in findings
        )
        for kind, accounts in grouped.items()
    }


def tangled_history(start, end):
    """Accounts whose names sort differently by code point and by locale, some sharing a name; findings
    with several events in the window, events at equal times (their ids decide), events written out of
    time order, findings that appear and go away inside the window, and events just outside it."""
    rng = random.Random(7)
    accounts = [AwsAccountFactory(name=name) for name in ("beta", "Alpha", "alpha", "beta", "Zulu", "éclair")]
    moments = [start - timedelta(days=1), start, start + timedelta(hours=1), start + timedelta(days=3)]
    moments += [start + timedelta(days=3), end - timedelta(hours=1), end, end + timedelta(hours=1)]
    statuses = ["", "PASS", "FAIL", "FAIL", "ERROR", "NOT_APPLICABLE"]
    steps = []
    for account in accounts:
        for _ in range(15):
            finding, status = FindingFactory(resource__account=account), ""
            for at in sorted(rng.sample(moments, rng.randint(1, 5))):
                new = rng.choice([s for s in statuses if s != status])
                steps.append((finding, at, status, new))
                status = new
    rng.shuffle(steps)  # ids no longer follow time: ties at one moment are ordered by id alone
    for finding, at, old, new in steps:
        FindingEventFactory(finding=finding, at=at, old_status=old, new_status=new)
    return accounts


@pytest.mark.parametrize("limit", [3, 100])
def test_the_database_finds_what_the_python_reduction_found(monkeypatch, limit, django_assert_max_num_queries):
    monkeypatch.setattr(changes, "LIMIT", limit)
    end = timezone.now()
    start = end - timedelta(days=7)
    accounts = tangled_history(start, end)
    for chosen in (None, accounts[:1], accounts[3:5], accounts[::3]):  # accounts[::3]: both named beta
        expected, expected_totals = reference(start, end, chosen)

        with django_assert_max_num_queries(2):
            grouped, totals = changes.net_changes(start, end, chosen)

        assert totals == expected_totals
        assert shown(grouped) == expected
    assert sum(expected_totals.values()) > 0 and expected_totals["fixed"] > 0


def test_a_finding_that_appears_and_goes_away_inside_the_window_is_no_change():
    end = timezone.now()
    finding = FindingFactory()
    for old, new in (("", "FAIL"), ("FAIL", "")):
        FindingEventFactory(finding=finding, at=end - timedelta(days=1), old_status=old, new_status=new)

    grouped, totals = changes.net_changes(end - timedelta(days=7), end)

    assert totals == dict.fromkeys(changes.KINDS, 0)
    assert grouped == {kind: {} for kind in changes.KINDS}
