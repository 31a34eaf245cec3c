"""Muting as a domain: patterns that match exactly one ARN, scopes, bulk mutes, unmuting and history."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from checks import history
from checks.models import Finding, Suppression
from dashboard import suppressions
from dashboard.exports.rows import iter_rows
from dashboard.tests.factories import FindingFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

CHECK = "s3.bucket_default_encryption"


@pytest.fixture
def user():
    return User.objects.create_user("ops")


def until(days=10):
    return timezone.now() + timedelta(days=days)


@pytest.mark.parametrize("uid", ["arn:aws:s3:::plain", "arn:aws:s3:::with*star", "arn:aws:s3:::odd[1]?name"])
def test_resource_pattern_matches_exactly_its_arn(uid):
    pattern = suppressions.pattern_for(uid)
    suppression = Suppression(check_id=CHECK, resource_pattern=pattern)
    assert suppression.matches_uid(None, uid)
    assert not suppression.matches_uid(None, uid + "x")
    assert not suppression.matches_uid(None, "arn:aws:s3:::with-star")
    assert suppressions.literal_of(pattern) == uid


def test_wildcard_patterns_have_no_literal():
    assert suppressions.literal_of("arn:aws:s3:::logs-*") is None
    assert suppressions.literal_of("*") is None


def test_mute_one_resource_leaves_its_neighbours(user):
    finding = FindingFactory(resource__uid="arn:aws:s3:::a*b")
    lookalike = FindingFactory(resource__account=finding.account, resource__uid="arn:aws:s3:::aXb")
    suppression = suppressions.mute(finding, by=user, justification="Accepted for now.", expires_at=until())
    assert suppression.resource_pattern == "arn:aws:s3:::a[*]b"
    assert list(Finding.objects.muted()) == [finding]
    assert not Finding.objects.get(pk=lookalike.pk).is_muted


def test_mute_replaces_an_earlier_mute_on_the_finding(user):
    finding = FindingFactory(suppression=SuppressionFactory(expires_at=until(1)))
    newer = suppressions.mute(finding, by=user, justification="Extended after review.", expires_at=until(60))
    assert Finding.objects.get(pk=finding.pk).suppression == newer


def test_mute_skips_closed_findings(user):
    finding = FindingFactory()
    closed = FindingFactory(resource__account=finding.account, closed_at=timezone.now())
    suppressions.mute(
        finding, by=user, justification="Whole check accepted.", expires_at=until(), scope=suppressions.CHECK
    )
    assert Finding.objects.get(pk=closed.pk).suppression is None


def test_account_wide_wildcard_suppression_matches_in_python():
    finding = FindingFactory(resource__uid="arn:aws:s3:::logs-1")
    other = FindingFactory(resource__account=finding.account, resource__uid="arn:aws:s3:::data-1")
    suppression = SuppressionFactory(account=finding.account, resource_pattern="arn:aws:s3:::logs-*")
    assert list(suppressions.matching_findings(suppression)) == [finding]
    assert other not in suppressions.matching_findings(suppression)


def test_mute_many_mutes_each_on_its_own_resource(user):
    findings = FindingFactory.create_batch(4)
    chosen = Finding.objects.filter(pk__in=[f.pk for f in findings[:3]])
    created = suppressions.mute_many(chosen, by=user, justification="Bulk accepted.", expires_at=until())
    assert len(created) == 3
    assert {s.resource_pattern for s in created} == {suppressions.pattern_for(f.resource.uid) for f in findings[:3]}
    assert set(Finding.objects.muted().values_list("pk", flat=True)) == {f.pk for f in findings[:3]}


def test_unmute_releases_every_finding_and_keeps_the_record(user):
    suppression = SuppressionFactory()
    findings = FindingFactory.create_batch(2, suppression=suppression)
    ids = [finding.pk for finding in findings]
    before = timezone.now()
    assert suppressions.unmute(suppression, by=user) == 2
    suppression.refresh_from_db()
    assert suppression.revoked_by == user
    assert not suppression.is_active()
    assert not Finding.objects.muted().filter(pk__in=ids).exists()
    assert Finding.objects.unmuted().filter(pk__in=ids).count() == 2
    # Still linked: as of a moment before the unmute they were muted.
    assert Finding.objects.muted(before).filter(pk__in=ids).count() == 2


def test_a_mute_revoked_after_a_moment_was_active_at_that_moment():
    suppression = SuppressionFactory(
        created_at=timezone.now() - timedelta(days=10), revoked_at=timezone.now() - timedelta(days=2)
    )
    assert suppression.is_active(timezone.now() - timedelta(days=5))
    assert not suppression.is_active(timezone.now() - timedelta(days=2))
    assert not suppression.is_active()


T = timezone.now().replace(microsecond=0) - timedelta(days=5)
DAY = timedelta(days=1)
CREATED = (T - DAY, T, T + DAY)
EXPIRES = (T, T + DAY)
REVOKED = (None, T - DAY, T, T + DAY)


def expected_active(created, expires, revoked):
    """The rule, stated plainly: created at or before T, not expired at T, not revoked at or before T."""
    return created <= T and expires > T and (revoked is None or revoked > T)


def test_one_mute_rule_in_python_in_the_queryset_in_the_finding_filters_and_in_the_export_column():
    cases = {}
    for created, expires, revoked in itertools.product(CREATED, EXPIRES, REVOKED):
        suppression = SuppressionFactory(created_at=created, expires_at=expires, revoked_at=revoked)
        finding = FindingFactory(suppression=suppression, resource__uid=f"arn:aws:s3:::case-{len(cases)}")
        cases[finding.pk] = (suppression, expected_active(created, expires, revoked))
    FindingFactory(resource__uid="arn:aws:s3:::never-muted")
    expected = {pk for pk, (_, active) in cases.items() if active}
    assert 0 < len(expected) < len(cases)

    assert {pk for pk, (suppression, _) in cases.items() if suppression.is_active(T)} == expected
    assert {s.pk for s in Suppression.objects.active(T)} == {cases[pk][0].pk for pk in expected}
    assert set(Finding.objects.muted(T).values_list("pk", flat=True)) == expected
    assert (
        set(Finding.objects.unmuted(T).values_list("pk", flat=True))
        == set(Finding.objects.values_list("pk", flat=True)) - expected
    )
    muted_column = {row["resource_uid"] for row in iter_rows(history.current_findings(), T) if row["muted"]}
    assert muted_column == {f"arn:aws:s3:::case-{index}" for index, pk in enumerate(cases) if pk in expected}


def test_state_tells_active_from_expired():
    active = FindingFactory(suppression=SuppressionFactory())
    expired = FindingFactory(suppression=SuppressionFactory(expires_at=timezone.now() - timedelta(seconds=1)))
    revoked = FindingFactory(suppression=SuppressionFactory(revoked_at=timezone.now()))
    assert suppressions.state(active) == "active"
    assert suppressions.state(expired) == "expired"
    assert suppressions.state(revoked) == ""
    assert suppressions.state(FindingFactory()) == ""


def test_history_lists_every_mute_that_covered_the_resource_newest_first():
    finding = FindingFactory(resource__uid="arn:aws:s3:::b1")
    old = SuppressionFactory(
        account=finding.account,
        resource_pattern="arn:aws:s3:::b1",
        created_at=timezone.now() - timedelta(days=40),
        revoked_at=timezone.now(),
    )
    everywhere = SuppressionFactory(account=None, resource_pattern="*")
    SuppressionFactory(account=finding.account, resource_pattern="arn:aws:s3:::other")
    SuppressionFactory(resource_pattern="*")  # another account
    assert suppressions.history_for(finding) == [everywhere, old]


def test_last_day_is_the_day_before_the_exclusive_end():
    suppression = SuppressionFactory(expires_at=timezone.make_aware(timezone.datetime(2027, 3, 12)))
    assert suppressions.last_day(suppression).isoformat() == "2027-03-11"
