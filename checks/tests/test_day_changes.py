"""Day counts agree with the events they summarize: as recorded, rebuilt, counted one by one, and after pruning."""

from collections import Counter
from datetime import UTC, timedelta

import pytest

from accounts.tests.factories import AwsAccountFactory
from checks import day_changes, retention
from checks.models import DayChange, FindingEvent, WeekChange
from checks.tests.builders import NOW
from checks.tests.test_retention import one_check_catalog, scan_at  # noqa: F401 - a fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_check_catalog")]
DAY = timedelta(days=1)


def from_events(events=None):
    """The day counts worked out in Python from the events themselves."""
    events = FindingEvent.objects.all() if events is None else events
    return Counter(
        (account_id, at.astimezone(UTC).date(), old, new)
        for account_id, at, old, new in events.values_list("account_id", "at", "old_status", "new_status")
    )


def stored():
    return Counter(
        {(row.account_id, row.day, row.old_status, row.new_status): row.count for row in DayChange.objects.all()}
    )


def by_week(days):
    """Day counts summed per week (Monday to Sunday)."""
    weeks = Counter()
    for (account_id, day, old, new), count in days.items():
        weeks[account_id, day - timedelta(days=day.weekday()), old, new] += count
    return weeks


def stored_weeks():
    return Counter(
        {(row.account_id, row.week, row.old_status, row.new_status): row.count for row in WeekChange.objects.all()}
    )


def seeded_history():
    """Two accounts scanned on the same moments (ties), twice on some days, just either side of midnight,
    with buckets that appear and go away inside one day and inside one week, and statuses that flap back."""
    midnight = NOW.replace(hour=0, minute=0, second=0, microsecond=0) - 20 * DAY
    moments = [
        midnight - timedelta(microseconds=1),
        midnight,
        midnight + timedelta(hours=5),
        midnight + timedelta(hours=5),  # a second scan at the very same moment's day (a rerun)
        midnight + timedelta(hours=9),
        midnight + 2 * DAY,
        midnight + 3 * DAY - timedelta(seconds=1),
        midnight + 6 * DAY,
        midnight + 10 * DAY,
    ]
    estates = [
        {"a": False, "b": True},
        {"a": True, "b": True, "c": False},  # c appears
        {"a": True, "b": False},  # c goes away the same day; b regresses
        {"a": True, "b": False},
        {"a": True, "b": True, "c": True},  # b fixed the day it regressed; c back
        {"a": False, "c": True},  # a regresses, b gone
        {"a": True, "b": False, "c": True},  # a fixed, b back failing
        {"a": True, "b": False},
        {"a": False, "b": True, "d": False},
    ]
    accounts = [AwsAccountFactory(), AwsAccountFactory()]
    for at, buckets in zip(moments, estates, strict=True):
        for account in accounts:
            scan_at(account, at, buckets)
    return accounts, midnight


def test_recording_counts_every_event_on_its_utc_day():
    seeded_history()

    expected = from_events()
    assert stored() == expected
    assert stored_weeks() == by_week(expected)
    assert len({week for _, week, _, _ in stored_weeks()}) >= 2  # the history spans a week's end
    assert sum(expected.values()) == FindingEvent.objects.count() > 30
    assert len({day for _, day, _, _ in expected}) >= 5  # the history spans the midnights it was meant to


def test_a_rebuild_recounts_the_same_days():
    seeded_history()
    recorded, weeks = stored(), stored_weeks()
    DayChange.objects.update(count=1)
    WeekChange.objects.update(count=1)

    day_changes.rebuild()

    assert stored() == recorded == from_events()
    assert stored_weeks() == weeks == by_week(from_events())


def test_events_counted_one_by_one_add_to_their_day():
    accounts, midnight = seeded_history()
    DayChange.objects.all().delete()
    WeekChange.objects.all().delete()

    day_changes.add_events(list(FindingEvent.objects.filter(account=accounts[0]).values_list("pk", flat=True)))
    day_changes.add_events(list(FindingEvent.objects.filter(account=accounts[1]).values_list("pk", flat=True)))

    assert stored() == from_events()
    assert stored_weeks() == by_week(from_events())


def test_pruning_keeps_the_counts_of_every_kept_day(settings):
    _, midnight = seeded_history()
    settings.HISTORY_RETENTION_DAYS = 17  # the cut falls inside the history, on the day after its third midnight
    cut = retention.oldest_reconstructable(NOW)
    assert midnight + 2 * DAY < cut < midnight + 6 * DAY

    counts = retention.prune(NOW)

    kept = from_events(FindingEvent.objects.filter(at__date__gt=cut.date()))
    assert counts["day changes"] > 0 and counts["week changes"] > 0
    assert stored() == kept
    assert all(day > cut.date() for _, day, _, _ in stored())
    # The weeks that start after the cut's day, whole; a week the cut falls in is gone (no window reads it).
    assert stored_weeks() == Counter({key: n for key, n in by_week(kept).items() if key[1] > cut.date()})
    assert stored_weeks()
