"""Check statuses agree with the events they summarize: as recorded, rebuilt, at every moment, and after pruning."""

from datetime import UTC, timedelta

import pytest

from checks import check_statuses, history, retention
from checks.compliance.rollup import check_status
from checks.models import CheckStatus, month_of
from checks.tests.builders import NOW
from checks.tests.test_day_changes import seeded_history
from checks.tests.test_retention import one_check_catalog, scan_at  # noqa: F401 - a fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_check_catalog")]
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)
MIDNIGHT = NOW.replace(hour=0, minute=0, second=0, microsecond=0) - 20 * DAY  # seeded_history's
END = MIDNIGHT + 80 * DAY  # "now" for these tests: after every scan of longer_history


def from_findings(at):
    """{(account, check): status} at `at`, worked out from every finding's event then (checks.history)."""
    present = {}
    for account_pk, check_id, status in history.findings_as_of(at).values_list("account_id", "check_id", "status_then"):
        present.setdefault((account_pk, check_id), set()).add(status)
    return {key: str(check_status(statuses)) for key, statuses in present.items()}


def stored(at):
    rows = CheckStatus.objects.at(at).values_list("account_id", "check_id", "status")
    found = {(account_pk, check_id): status for account_pk, check_id, status in rows}
    assert len(found) == len(rows), "two spans of one check held at once"
    return found


def spans():
    return sorted(CheckStatus.objects.values_list("account_id", "check_id", "status", "since", "until", "month"))


def moments():
    """Every scan's moment, a tick either side of it, and the middle of the gap to the next."""
    seen = sorted(set(CheckStatus.objects.values_list("since", flat=True)))
    around = [at + step for at in seen for step in (-TICK, timedelta(0), TICK)]
    middles = [a + (b - a) / 2 for a, b in zip(seen, seen[1:], strict=False)]
    return sorted(set(around + middles + [END]))


def longer_history():
    """seeded_history (ties, same-day appear/disappear, flapping) and a quiet month-long stretch after it,
    so spans cross month boundaries."""
    accounts, midnight = seeded_history()
    assert midnight == MIDNIGHT
    for account in accounts:
        scan_at(account, midnight + 45 * DAY, {"a": True, "b": True, "d": False})
        scan_at(account, midnight + 75 * DAY, {"a": True})
    return accounts, midnight


def test_recorded_statuses_are_the_findings_statuses_at_every_moment():
    longer_history()

    for at in moments():
        assert stored(at) == from_findings(at), at
    statuses = {status for at in moments() for status in stored(at).values()}
    assert statuses == {"failing", "passing"}
    assert CheckStatus.objects.filter(until__isnull=True).count() == 2  # one open span per account


def test_now_is_each_accounts_open_span():
    longer_history()

    assert stored(None) == from_findings(END) == stored(END)


def test_a_rebuild_from_the_events_works_out_the_same_spans():
    longer_history()
    recorded = spans()
    CheckStatus.objects.all().delete()

    check_statuses.rebuild()

    assert spans() == recorded


def test_a_rebuild_of_one_account_leaves_the_others_alone():
    accounts, _ = longer_history()
    recorded = spans()
    CheckStatus.objects.filter(account=accounts[0]).delete()
    CheckStatus.objects.filter(account=accounts[1]).update(status="error")
    other = spans()

    check_statuses.rebuild([accounts[0].pk])

    assert [row for row in spans() if row[0] == accounts[0].pk] == [row for row in recorded if row[0] == accounts[0].pk]
    assert [row for row in spans() if row[0] == accounts[1].pk] == [row for row in other if row[0] == accounts[1].pk]


def test_a_closed_span_is_stored_in_one_piece_per_month_it_covers():
    longer_history()

    closed = CheckStatus.objects.filter(until__isnull=False)
    for piece in closed:
        assert piece.month == month_of(piece.since) and piece.since < piece.until
        assert month_of(piece.until - TICK) == piece.month  # ends within its month (or at the next one's start)
    month_starts = [piece for piece in closed if piece.since == piece.since.astimezone(UTC).replace(day=1, hour=0)]
    assert month_starts  # a span did cross a month boundary


def test_pruning_keeps_the_statuses_of_every_kept_moment(settings):
    _, midnight = longer_history()
    settings.HISTORY_RETENTION_DAYS = 77  # the cut falls inside the seeded history's days
    cut = retention.oldest_reconstructable(END)
    assert midnight + 2 * DAY < cut < midnight + 6 * DAY
    kept = [at for at in moments() if at >= cut]
    before = {at: stored(at) for at in kept}

    counts = retention.prune(END)

    assert counts["check statuses"] > 0
    assert {at: stored(at) for at in kept} == before == {at: from_findings(at) for at in kept}
    assert not CheckStatus.objects.filter(until__lte=cut).exists()
    check_statuses.rebuild()  # from the pruned events (each finding's baseline before the cut)
    assert {at: stored(at) for at in kept} == before
