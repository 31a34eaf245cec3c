"""A requirement passes in an account only when every check behind it passes there; failures win, and
errors and missing data never count as passing."""

import pytest

from checks.catalog.base import Status
from checks.compliance.rollup import Rollup, check_status, requirement_status

PASS, FAIL, ERROR, NA = Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE
CHECKS = ("a.one", "b.two")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([PASS, PASS], Rollup.PASSING),
        ([PASS, FAIL, ERROR], Rollup.FAILING),
        ([PASS, ERROR], Rollup.ERROR),
        ([], Rollup.NO_DATA),
        ([NA, NA], Rollup.NOT_APPLICABLE),
        ([NA, PASS], Rollup.PASSING),
    ],
)
def test_a_checks_status_in_an_account(statuses, expected):
    assert check_status(statuses) == expected


@pytest.mark.parametrize(
    ("statuses_by_check", "expected"),
    [
        ({"a.one": [PASS], "b.two": [PASS, NA]}, Rollup.PASSING),
        ({"a.one": [PASS], "b.two": [FAIL]}, Rollup.FAILING),
        ({"a.one": [ERROR], "b.two": [FAIL]}, Rollup.FAILING),
        ({"a.one": [PASS], "b.two": [ERROR]}, Rollup.ERROR),
        ({"a.one": [PASS]}, Rollup.NO_DATA),  # b.two has no finding in the account
        ({"a.one": [PASS], "b.two": []}, Rollup.NO_DATA),
        ({"a.one": [ERROR]}, Rollup.ERROR),  # an error is worse than missing data
        ({"a.one": [NA], "b.two": [PASS]}, Rollup.PASSING),
        ({"a.one": [NA], "b.two": [NA]}, Rollup.NOT_APPLICABLE),
        ({}, Rollup.NO_DATA),
    ],
)
def test_a_requirements_status_in_an_account(statuses_by_check, expected):
    assert requirement_status(CHECKS, statuses_by_check) == expected


def test_a_requirement_without_checks_is_not_covered_whatever_the_results():
    assert requirement_status((), {"a.one": [FAIL]}) == Rollup.NOT_COVERED


def test_checks_outside_the_requirement_do_not_count():
    assert requirement_status(("a.one",), {"a.one": [PASS], "z.other": [FAIL]}) == Rollup.PASSING
