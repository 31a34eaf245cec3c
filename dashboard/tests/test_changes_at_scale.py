"""Changes read day counts and the few accounts listed: exact totals, a bounded list, statuses from each change."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from checks import retention
from checks.models import FindingEvent, WeekChange
from checks.tests.builders import NOW
from checks.tests.test_day_changes import seeded_history
from checks.tests.test_retention import one_check_catalog  # noqa: F401 - a fixture, used below
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


def test_each_change_in_the_window_counts_on_its_day():
    today = timezone.now().date()
    account = AwsAccountFactory()
    flapped = FindingFactory(resource__account=account)
    history(flapped, (40, "", "FAIL"), (5, "FAIL", "PASS"), (3, "PASS", "FAIL"), (1, "FAIL", "PASS"))
    appeared = FindingFactory(resource__account=account)
    history(appeared, (4, "", "FAIL"))
    gone = FindingFactory(resource__account=account)
    history(gone, (40, "", "PASS"), (2, "PASS", ""))

    grouped, totals = changes.net_changes(today - timedelta(days=7), today)

    assert totals == {"newly failing": 1, "fixed": 2, "appeared": 1, "disappeared": 1}
    [fixed] = grouped["fixed"][account]  # listed once, with its latest fix
    assert (fixed.pk, fixed.before, fixed.after) == (flapped.pk, "FAIL", "PASS")
    assert [finding.pk for finding in grouped["newly failing"][account]] == [flapped.pk]
    assert [finding.pk for finding in grouped["appeared"][account]] == [appeared.pk]
    assert [finding.after for finding in grouped["disappeared"][account]] == [""]


# --- Day counts and listed accounts against every event of the window, read in Python ------------------------------


def kind_of(before, after):
    if not before:
        return "appeared"
    if not after:
        return "disappeared"
    if after == "FAIL":
        return "newly failing"
    return "fixed" if (before, after) == ("FAIL", "PASS") else None


def reference(first, last, accounts=None):
    """Every event of the window's days classified in Python: totals, and each kind's first findings."""
    events = FindingEvent.objects.filter(at__date__gt=first, at__date__lte=last)
    if accounts is not None:
        events = events.filter(account__in=accounts)
    names = dict(AwsAccount.objects.values_list("pk", "name"))
    totals, latest = dict.fromkeys(changes.KINDS, 0), {}
    for finding_id, account_id, old, new in events.order_by("at", "id").values_list(
        "finding_id", "account_id", "old_status", "new_status"
    ):
        if kind := kind_of(old, new):
            totals[kind] += 1
            latest[kind, finding_id] = (names[account_id], account_id, finding_id, old, new)
    found = {kind: sorted(row for (each, _), row in latest.items() if each == kind) for kind in changes.KINDS}
    return {kind: rows[: changes.LIMIT] for kind, rows in found.items()}, totals


def shown(grouped):
    return {
        kind: sorted(
            (account.name, account.pk, finding.pk, finding.before, finding.after)
            for account, findings in accounts.items()
            for finding in findings
        )
        for kind, accounts in grouped.items()
    }


def tangled_history(first, last):
    """Accounts whose names sort differently by code point and by locale, some sharing a name; findings
    with several events in the window, events at equal times (their ids decide), events written out of
    time order, findings that appear and go away inside the window and inside one day, and events on
    either side of both of the window's midnights."""
    rng = random.Random(7)
    accounts = [AwsAccountFactory(name=name) for name in ("beta", "Alpha", "alpha", "beta", "Zulu", "éclair")]
    start, end = changes.end_of(first), changes.end_of(last)
    micro = timedelta(microseconds=1)
    moments = [start - timedelta(days=1), start, start + micro, start + timedelta(hours=1), start + timedelta(days=3)]
    moments += [start + timedelta(days=3), end - timedelta(hours=1), end, end + micro, end + timedelta(hours=1)]
    statuses = ["", "PASS", "FAIL", "FAIL", "ERROR", "NOT_APPLICABLE"]
    steps = []
    for account in accounts:
        for _ in range(15):
            finding, status = FindingFactory(resource__account=account), ""
            for at in sorted(rng.sample(moments, rng.randint(1, 6))):
                new = rng.choice([s for s in statuses if s != status])
                steps.append((finding, at, status, new))
                status = new
    rng.shuffle(steps)  # ids no longer follow time: ties at one moment are ordered by id alone
    for finding, at, old, new in steps:
        FindingEventFactory(finding=finding, at=at, old_status=old, new_status=new)
    return accounts


@pytest.mark.parametrize("days", [7, 20])  # 20: whole weeks from the week counts, the ends from the day counts
@pytest.mark.parametrize("limit", [3, 100])
def test_day_counts_and_listed_accounts_find_what_the_events_say(
    monkeypatch, limit, days, django_assert_max_num_queries
):
    monkeypatch.setattr(changes, "LIMIT", limit)
    last = timezone.now().date() - timedelta(days=1)
    first = last - timedelta(days=days)
    accounts = tangled_history(first, last)
    for chosen in (None, accounts[:1], accounts[3:5], accounts[::3]):  # accounts[::3]: both named beta
        expected, expected_totals = reference(first, last, chosen)

        with django_assert_max_num_queries(3):
            grouped, totals = changes.net_changes(first, last, chosen)

        assert totals == expected_totals
        assert shown(grouped) == expected
    assert sum(expected_totals.values()) > 0 and expected_totals["fixed"] > 0 and expected_totals["disappeared"] > 0


def test_a_finding_that_appears_and_goes_away_inside_the_window_is_under_both():
    today = timezone.now().date()
    finding = FindingFactory()
    for old, new in (("", "FAIL"), ("FAIL", "")):
        FindingEventFactory(
            finding=finding, at=changes.end_of(today) - timedelta(days=1), old_status=old, new_status=new
        )

    grouped, totals = changes.net_changes(today - timedelta(days=7), today)

    assert totals == {"newly failing": 0, "fixed": 0, "appeared": 1, "disappeared": 1}
    assert [(f.before, f.after) for f in grouped["appeared"][finding.account]] == [("", "FAIL")]
    assert [(f.before, f.after) for f in grouped["disappeared"][finding.account]] == [("FAIL", "")]


@pytest.mark.usefixtures("one_check_catalog")
def test_every_window_of_a_recorded_history_counts_what_its_events_say(django_assert_max_num_queries):
    """Windows of 1 to 16 days starting on each weekday, over a recorded history with ties, reruns, midnights and
    findings that appear and go away inside one day and one week: weeks and days together count every event once."""
    accounts, midnight = seeded_history()
    for offset in range(8):
        for days in range(1, 17):
            first = midnight.date() - timedelta(days=2) + timedelta(days=offset)
            last = first + timedelta(days=days)
            for chosen in (None, accounts[1:]):
                expected, expected_totals = reference(first, last, chosen)

                with django_assert_max_num_queries(3):
                    grouped, totals = changes.net_changes(first, last, chosen)

                assert (totals, shown(grouped)) == (expected_totals, expected), (first, last)
    assert WeekChange.objects.exists()


# --- Which week and day counts a window reads --------------------------------------------------------------------


def net_days(window):
    """Each day's net count in the periods (a week is its seven days; "-" subtracts)."""
    net = Counter()
    for period in window:
        step = timedelta(days=7) if period.model is WeekChange else timedelta(days=1)
        day = period.start
        while day <= period.end:
            for each in range(7) if period.model is WeekChange else range(1):
                net[day + timedelta(days=each)] += -1 if period.sign else 1
            day += step
    return {day: n for day, n in net.items() if n}


def test_the_periods_of_every_window_count_each_of_its_days_once():
    monday = date(2026, 3, 2)
    for offset in range(7):
        for days in range(0, 45):
            first = monday + timedelta(days=offset)
            last = first + timedelta(days=days)
            for today in (last, last - timedelta(days=3), last + timedelta(days=9)):
                for kept_after in (monday - timedelta(days=30), first, first - timedelta(days=1)):
                    window = changes.periods(first, last, today, kept_after)

                    expected = {first + timedelta(days=n): 1 for n in range(1, days + 1)}
                    assert net_days(window) == expected, (first, last, today, kept_after)
                    assert all(p.start > kept_after for p in window if p.model is WeekChange)
                    assert len(window) <= days + 2


def test_a_month_reads_the_weeks_of_its_ends_less_the_days_outside():
    first, last = date(2026, 11, 2), date(2026, 12, 2)  # a Monday, to a Wednesday (today)

    window = changes.periods(first, last, last, first - timedelta(days=100))

    assert [(p.model.__name__, p.start.isoformat(), p.end.isoformat(), p.sign) for p in window] == [
        ("WeekChange", "2026-11-02", "2026-11-02", ""),
        ("DayChange", "2026-11-02", "2026-11-02", "-"),
        ("WeekChange", "2026-11-09", "2026-11-23", ""),
        ("WeekChange", "2026-11-30", "2026-11-30", ""),
        ("DayChange", "2026-12-03", "2026-12-06", "-"),  # after today: nothing to read
    ]


@pytest.mark.usefixtures("one_check_catalog")
def test_a_week_the_retention_cut_falls_in_is_read_from_its_kept_days(settings, time_machine):
    """Pruning deletes the week the cut falls in: a window starting at the cut reads that week's days."""
    accounts, midnight = seeded_history()
    settings.HISTORY_RETENTION_DAYS = 15
    time_machine.move_to(NOW, tick=False)
    cut = retention.oldest_reconstructable()
    assert cut.weekday() == 0 and midnight < cut < midnight + 10 * timedelta(days=1)
    retention.prune()

    for days in range(1, 12):
        first = cut.date()
        last = first + timedelta(days=days)
        expected, expected_totals = reference(first, last)

        grouped, totals = changes.net_changes(first, last)

        assert (totals, shown(grouped)) == (expected_totals, expected), last
    assert expected_totals["fixed"] + expected_totals["newly failing"] > 0
