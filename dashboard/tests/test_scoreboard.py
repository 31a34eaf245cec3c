"""Scoreboard read models: the latest scores and the sparkline series, as the overview reads them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks.catalog.base import Area
from dashboard import scoreboard
from dashboard.tests.factories import AreaScoreFactory, ScanFactory

pytestmark = pytest.mark.django_db


def scored(account, at, scores):
    scan = ScanFactory(account=account, queued_at=at, finished_at=at)
    for area, score in scores.items():
        AreaScoreFactory(scan=scan, area=area, score=score, at=at)
    return scan


def test_latest_scores_are_the_latest_scan_at_or_before_the_moment():
    account, other = AwsAccountFactory(), AwsAccountFactory()
    now = timezone.now()
    scored(account, now - timedelta(days=10), {Area.AT_REST: 40.0, Area.KEYS: 50.0})
    scored(account, now - timedelta(days=1), {Area.AT_REST: 90.0, Area.KEYS: None})
    scored(other, now - timedelta(days=3), {Area.AT_REST: 70.0})

    today = scoreboard.latest_scores([account.pk, other.pk])
    week_ago = scoreboard.latest_scores([account.pk, other.pk], at=now - timedelta(days=7))

    assert {area: row.score for area, row in today[account.pk].items()} == {Area.AT_REST: 90.0, Area.KEYS: None}
    assert today[other.pk][Area.AT_REST].score == 70.0
    assert {area: row.score for area, row in week_ago[account.pk].items()} == {Area.AT_REST: 40.0, Area.KEYS: 50.0}
    assert other.pk not in week_ago


def test_sparkline_is_each_days_last_scan_averaged_over_areas_and_carried_over_gaps():
    account, never = AwsAccountFactory(), AwsAccountFactory()
    now = timezone.now().replace(hour=12)
    scored(account, now - timedelta(days=3, hours=2), {Area.AT_REST: 10.0, Area.KEYS: 20.0})
    scored(account, now - timedelta(days=3), {Area.AT_REST: 60.0, Area.KEYS: 80.0, Area.LOGGING: None})
    scored(account, now - timedelta(days=1), {Area.AT_REST: 50.0, Area.KEYS: 51.0})

    series = scoreboard.daily_overall([account.pk, never.pk], 5, now)

    assert series[account.pk] == [None, 70.0, 70.0, 50.5, 50.5]
    assert series[never.pk] == [None] * 5


def test_daily_series_ends_at_a_past_moment_and_averages_only_the_areas_asked_for():
    account = AwsAccountFactory()
    end = timezone.now().replace(hour=23, minute=59) - timedelta(days=10)
    scored(account, end - timedelta(days=2), {Area.KEYS: 50.0, Area.LOGGING: 90.0, Area.AT_REST: 0.0})
    scored(account, end - timedelta(days=1), {Area.KEYS: 60.0, Area.LOGGING: 70.0, Area.AT_REST: 0.0})
    scored(account, end + timedelta(hours=1), {Area.KEYS: 10.0, Area.LOGGING: 10.0, Area.AT_REST: 0.0})

    series = scoreboard.daily_overall([account.pk], 30, end, areas=[Area.KEYS, Area.LOGGING])[account.pk]

    assert len(series) == 30
    assert series[-3:] == [70.0, 65.0, 65.0]  # the end day carries day -1 forward; the scan after `end` is not read
    assert series[0] is None


def test_per_area_daily_series_take_each_days_last_scan_of_each_area():
    account = AwsAccountFactory()
    now = timezone.now().replace(hour=12)
    scored(account, now - timedelta(days=2, hours=3), {Area.KEYS: 10.0, Area.LOGGING: 20.0})
    scored(account, now - timedelta(days=2), {Area.KEYS: 30.0, Area.LOGGING: None})
    scored(account, now - timedelta(hours=1), {Area.KEYS: 40.0})

    series = scoreboard.daily_overall([account.pk], 4, now, per_area=True)

    assert series[account.pk, Area.KEYS] == [None, 30.0, 30.0, 40.0]
    assert series[account.pk, Area.LOGGING] == [None, None, None, None]  # the day's last scan scored nothing
    assert series[account.pk, Area.AT_REST] == [None] * 4
