"""Scores per area: passed ÷ (passed + failed), weighted by severity; no score where nothing was judged."""

import pytest

from checks.catalog.base import Area, Severity, Status
from checks.scoring import tally_by_area


def test_every_area_gets_a_tally_even_without_findings():
    tallies = tally_by_area([])
    assert set(tallies) == set(Area.values)
    assert all(tally.score is None for tally in tallies.values())


def test_an_area_with_only_errors_or_not_applicable_has_no_score_but_counts_its_errors():
    tallies = tally_by_area(
        [
            (Area.AT_REST, Status.PASS, Severity.HIGH, 3),
            (Area.AT_REST, Status.FAIL, Severity.LOW, 1),
            (Area.ACCESS, Status.ERROR, Severity.CRITICAL, 2),
            (Area.ACCESS, Status.NOT_APPLICABLE, Severity.HIGH, 5),
        ]
    )
    assert tallies[Area.AT_REST].score == pytest.approx(100 * 15 / 16, abs=0.05)
    access = tallies[Area.ACCESS]
    assert (access.passed, access.failed, access.errors, access.score) == (0, 0, 2, None)


def test_public_access_is_weighted_like_every_area():
    tallies = tally_by_area(
        [(Area.ACCESS, Status.PASS, Severity.CRITICAL, 1), (Area.ACCESS, Status.FAIL, Severity.CRITICAL, 1)]
    )
    assert tallies[Area.ACCESS].score == 50.0
