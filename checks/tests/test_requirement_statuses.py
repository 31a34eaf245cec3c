"""Requirement statuses agree with the check statuses and events they follow: as recorded, rebuilt from the
check statuses, at every moment, after pruning, and only while they are for the code's mapping."""

from datetime import UTC

import pytest
from django.core.management import call_command

from checks import requirement_statuses, retention
from checks.compliance import FRAMEWORKS, Framework
from checks.compliance.base import AT_REST
from checks.compliance.base import requirement as r
from checks.compliance.rollup import Rollup, requirement_status_of_checks
from checks.models import RequirementMapping, RequirementStatus, month_of
from checks.tests.test_check_statuses import END, TICK, from_findings, longer_history, moments
from checks.tests.test_retention import one_check_catalog  # noqa: F401 - a fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_check_catalog", "test_framework")]

# The one check of one_check_catalog alone, beside a check that never has a finding (so no data unless it
# fails), and not at all (not covered).
TEST = Framework(
    slug="test-framework",
    name="Test",
    source="tests",
    requirements=(
        r("1", "alone", AT_REST, "test.bucket_encrypted"),
        r("2", "with a check without findings", AT_REST, "test.never", "test.bucket_encrypted"),
        r("3", "not covered", AT_REST),
    ),
)


@pytest.fixture
def test_framework(monkeypatch):
    monkeypatch.setattr(requirement_statuses, "FRAMEWORKS", {TEST.slug: TEST})


def expected(at):
    """{(account, framework, position): status} at `at` from every finding's event then (no data left out)."""
    checks = {}
    for (account_pk, check_id), status in from_findings(at).items():
        checks.setdefault(account_pk, {})[check_id] = status
    found = {}
    for account_pk, status_by_check in checks.items():
        for position, requirement in enumerate(TEST.requirements):
            status = requirement_status_of_checks(requirement.checks, status_by_check)
            if status not in (Rollup.NO_DATA, Rollup.NOT_COVERED):
                found[(account_pk, TEST.slug, position)] = str(status)
    return found


def stored(at):
    rows = RequirementStatus.objects.at(at).values_list("account_id", "framework", "requirement", "status")
    found = {(account_pk, slug, position): status for account_pk, slug, position, status in rows}
    assert len(found) == len(rows), "two spans of one requirement held at once"
    return found


def spans():
    fields = ("account_id", "framework", "requirement", "status", "since", "until", "month")
    return sorted(RequirementStatus.objects.values_list(*fields))


def test_recorded_requirement_statuses_are_the_findings_at_every_moment():
    longer_history()

    for at in moments():
        assert stored(at) == expected(at), at
    assert {status for at in moments() for status in stored(at).values()} == {"failing", "passing"}
    assert {position for _, _, position in stored(None)} <= {0, 1}  # 2 (not covered) never has a row
    assert stored(None) == expected(END) == stored(END)


def test_a_rebuild_from_the_check_statuses_works_out_the_same_spans():
    longer_history()
    recorded = spans()
    assert recorded
    RequirementStatus.objects.all().delete()

    requirement_statuses.rebuild()

    assert spans() == recorded
    assert requirement_statuses.stale() == []


def test_a_rebuild_of_one_account_leaves_the_others_alone():
    accounts, _ = longer_history()
    recorded = spans()
    RequirementStatus.objects.filter(account=accounts[0]).delete()
    RequirementStatus.objects.filter(account=accounts[1]).update(status="error")
    other = spans()

    requirement_statuses.rebuild([accounts[0].pk])

    assert [row for row in spans() if row[0] == accounts[0].pk] == [row for row in recorded if row[0] == accounts[0].pk]
    assert [row for row in spans() if row[0] == accounts[1].pk] == [row for row in other if row[0] == accounts[1].pk]


def test_a_closed_span_is_stored_in_one_piece_per_month_it_covers():
    longer_history()

    closed = RequirementStatus.objects.filter(until__isnull=False)
    for piece in closed:
        assert piece.month == month_of(piece.since) and piece.since < piece.until
        assert month_of(piece.until - TICK) == piece.month
    assert any(piece.since == piece.since.astimezone(UTC).replace(day=1, hour=0) for piece in closed)


def test_pruning_keeps_the_requirement_statuses_of_every_kept_moment(settings):
    longer_history()
    settings.HISTORY_RETENTION_DAYS = 77  # the cut falls inside the seeded history's days (as for check statuses)
    cut = retention.oldest_reconstructable(END)
    kept = [at for at in moments() if at >= cut]
    before = {at: stored(at) for at in kept}

    counts = retention.prune(END)

    assert counts["requirement statuses"] > 0
    assert {at: stored(at) for at in kept} == before == {at: expected(at) for at in kept}
    assert not RequirementStatus.objects.filter(until__lte=cut).exists()
    requirement_statuses.rebuild()  # from the pruned check statuses
    assert {at: stored(at) for at in kept} == before


def test_a_changed_mapping_is_stale_until_rebuilt(monkeypatch):
    longer_history()
    requirement_statuses.rebuild()
    assert requirement_statuses.stale() == []
    moved = Framework(TEST.slug, TEST.name, TEST.source, (TEST.requirements[1], TEST.requirements[0]))
    monkeypatch.setattr(requirement_statuses, "FRAMEWORKS", {TEST.slug: moved})

    assert requirement_statuses.stale() == [TEST.slug]
    call_command("rebuild_requirement_statuses", "--if-stale")

    assert requirement_statuses.stale() == []
    assert RequirementMapping.objects.get(framework=TEST.slug).fingerprint == requirement_statuses.fingerprint(moved)
    now = stored(None)
    assert {status for (_, _, position), status in now.items() if position == 1} == {"passing"}  # "alone" moved to 1


def test_every_real_framework_has_a_fingerprint_of_its_own():
    prints = {requirement_statuses.fingerprint(each) for each in FRAMEWORKS.values()}
    assert len(prints) == len(FRAMEWORKS)
