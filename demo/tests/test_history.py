"""A shortened history (3 steps) on the test moto server: exactly the events its changes produce.

The estate is the story's past without payments-prod (fewer scans); the story's own events are
moved to the shortened history's days. A second part rebuilds moto as a later run does and
replays the story: the first live scan then records nothing new.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import sessions
from accounts.models import AwsAccount
from checks import scanning
from checks.models import AreaScore, Finding, FindingEvent, Scan
from conftest import reset_moto
from demo import history, story
from demo.estate import MEMBERS, build_estate

pytestmark = pytest.mark.django_db

FOUNDERS = [member for member in MEMBERS if member[0] in ("analytics-prod", "platform-staging")]


def quiet(line):
    pass


def told(what):
    [event] = [event for event in story.STORY if event.what.startswith(what)]
    return event


SHORT_STORY = (
    replace(told("analytics-prod's curated bucket loses its TLS policy"), day=-2),
    replace(told("the organization trail in shared-security stops logging"), day=-2),
    replace(told("platform-staging deletes its unencrypted build-cache volume"), day=-2),
    replace(told("the organization trail logs again"), day=0),
    replace(told("analytics-prod schedules its warehouse key for deletion"), day=0),
    replace(told("platform-staging deletes its assets bucket"), day=0),
    replace(told("sandbox-dev joins the organization"), day=0),
)


def build_short_past(url):
    estate = build_estate(url, log=quiet, members=FOUNDERS)
    story.rewind(estate)
    return estate


def events_at(at):
    # Compared in Python: on SQLite, recording's raw INSERT of "new" events stores `at` with its
    # "+00:00" suffix, so an SQL equality with a moment misses them.
    events = FindingEvent.objects.select_related("account", "finding__resource")
    return [event for event in events if event.at == at]


def changes_at(at, exclude=()):
    return {
        (event.account.name, event.finding.check_id, event.finding.resource.name, event.old_status, event.new_status)
        for event in events_at(at)
        if event.account.name not in exclude
    }


@pytest.fixture
def recorded(aws, settings):
    estate = build_short_past(aws.url)
    settings.TRUSTED_ACCOUNT_IDS = [estate.management_account_id]
    now = timezone.now().replace(microsecond=0)
    history.backfill(estate, story=SHORT_STORY, days=4, now=now, log=quiet)
    return estate, [now - timedelta(days=4), now - timedelta(days=2), now]


def assert_the_changed_steps_recorded_exactly_their_changes(second, third):
    assert changes_at(second) == {
        # the curated bucket lost its TLS policy: a regression
        ("analytics-prod", "s3.bucket_secure_transport", "analytics-prod-curated-us-east-1", "PASS", "FAIL"),
        ("analytics-prod", "s3.bucket_min_tls_12", "analytics-prod-curated-us-east-1", "PASS", "FAIL"),
        # the organization trail stopped logging
        ("shared-security", "cloudtrail.multi_region_logging", "123456789012", "PASS", "FAIL"),
        # the build-cache volume was deleted: its findings are closed
        ("platform-staging", "ebs.volume_encrypted", "build-cache", "FAIL", ""),
        ("platform-staging", "hygiene.no_sensitive_identifiers", "build-cache", "PASS", ""),
    }
    assert changes_at(third, exclude=["sandbox-dev"]) == {
        # the trail logs again, two days later
        ("shared-security", "cloudtrail.multi_region_logging", "123456789012", "FAIL", "PASS"),
        # the warehouse key is pending deletion while a table and a volume still use it
        ("analytics-prod", "kms.key_pending_deletion", "alias/analytics-warehouse", "PASS", "FAIL"),
        ("analytics-prod", "kms.key_in_use_unusable", "clickstream-events", "PASS", "FAIL"),
        ("analytics-prod", "kms.key_in_use_unusable", "warehouse-scratch", "PASS", "FAIL"),
        ("analytics-prod", "kms.key_rotation_enabled", "alias/analytics-warehouse", "FAIL", "NOT_APPLICABLE"),
        # the assets bucket was deleted
        *(
            ("platform-staging", check_id, "platform-staging-assets-eu-west-1", status, "")
            for check_id, status in [
                ("s3.bucket_default_encryption", "PASS"),
                ("s3.bucket_customer_managed_key", "FAIL"),
                ("s3.bucket_secure_transport", "FAIL"),
                ("s3.bucket_min_tls_12", "FAIL"),
                ("s3.bucket_server_access_logging", "FAIL"),
                ("s3.bucket_public_access_blocked", "FAIL"),
                ("s3.bucket_not_public", "PASS"),
                ("hygiene.no_sensitive_identifiers", "PASS"),
            ]
        ),
    }


def assert_the_latecomer_is_discovered_and_scanned_from_the_day_it_joined(estate, third):
    sandbox = AwsAccount.objects.get(name="sandbox-dev")
    assert sandbox.account_id == estate.account("sandbox-dev").account_id
    assert sandbox.created_at == third
    assert list(Scan.objects.filter(account=sandbox).values_list("queued_at", flat=True)) == [third]
    events = FindingEvent.objects.filter(account=sandbox)
    assert events.count() == Finding.objects.filter(account=sandbox).count() > 20
    assert set(events.values_list("at", "old_status")) == {(third, "")}  # every finding new that day
    assert len([event for event in events_at(third) if event.account == sandbox]) == events.count()


def assert_every_account_was_scanned_and_scored_as_of_each_step(steps):
    scans = Scan.objects.exclude(account__name="sandbox-dev")
    assert sorted(scans.values_list("account__name", "queued_at")) == sorted(
        (name, at) for name in ("analytics-prod", "platform-staging", "shared-security") for at in steps
    )
    for scan in Scan.objects.all():
        # moto does not implement GetEbsDefaultKmsKeyId: a real gap (Proton not answering is none).
        assert scan.status == Scan.State.PARTIAL
        assert scan.started_at == scan.queued_at <= scan.finished_at < scan.queued_at + timedelta(hours=1)
        assert scan.account.last_scan_started_at == max(steps)
    assert set(AreaScore.objects.values_list("at", flat=True)) == set(steps)
    first = min(steps)
    assert {event.old_status for event in events_at(first)} == {""}  # every finding new that day


def assert_a_later_run_replays_the_story_and_its_first_scan_changes_nothing(aws, estate):
    reset_moto(aws.url)  # as a later run's fresh moto server: nothing of the first build left
    sessions.forget_credentials()
    rebuilt = build_short_past(aws.url)
    story.replay(rebuilt, SHORT_STORY)
    assert [account.account_id for account in rebuilt.accounts] == [account.account_id for account in estate.accounts]

    events = FindingEvent.objects.count()
    for account in AwsAccount.objects.all():
        scan = scanning.run_scan(Scan.queue(account, Scan.Trigger.SCHEDULE))
        assert scan.status == Scan.State.PARTIAL
    assert FindingEvent.objects.count() == events


def test_history_records_exactly_the_events_of_its_changes_and_replays(recorded, aws):
    estate, steps = recorded
    first, second, third = steps

    assert_the_changed_steps_recorded_exactly_their_changes(second, third)
    assert_the_latecomer_is_discovered_and_scanned_from_the_day_it_joined(estate, third)
    assert_every_account_was_scanned_and_scored_as_of_each_step(steps)
    assert_a_later_run_replays_the_story_and_its_first_scan_changes_nothing(aws, estate)
