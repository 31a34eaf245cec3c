"""A requirement's status in one account, from the results of the checks behind it (pure).

A check's results in an account are the statuses of its findings there (as of the moment asked about):
- FAIL if any finding fails; else ERROR if any errs; else NO_DATA if it has no finding at all (the check
  never ran there, or found nothing to judge: Posture cannot tell these apart, so neither counts as a pass);
  else NOT_APPLICABLE if every finding is NOT_APPLICABLE (it judged resources outside its scope: nothing
  it shows either way); else PASS (at least one PASS, the rest PASS or NOT_APPLICABLE).
A requirement, in an account: NOT_COVERED when no check is behind it; else the worst of its checks'
statuses in the order FAIL, ERROR, NO_DATA, then PASS if at least one check passes (the others being not
applicable), else NOT_APPLICABLE. So it passes only when every check behind it passes there (or has nothing
in scope), and errors and missing data never count as passing. A muted finding counts as what it is: a
mute hides a finding from the lists, it does not make it pass.
"""

from django.db import models

from checks.catalog.base import Status


class Rollup(models.TextChoices):
    PASSING = "passing", "Passing"
    FAILING = "failing", "Failing"
    ERROR = "error", "Error"
    NO_DATA = "no_data", "No data"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_COVERED = "not_covered", "Not covered by Posture"


# Worst first: the first of these a requirement's checks show is the requirement's status.
WORST_FIRST = (Rollup.FAILING, Rollup.ERROR, Rollup.NO_DATA, Rollup.PASSING, Rollup.NOT_APPLICABLE)


def check_status(statuses):
    """A check's status in an account from its findings' statuses there (any iterable of Status values)."""
    statuses = set(statuses)
    if Status.FAIL in statuses:
        return Rollup.FAILING
    if Status.ERROR in statuses:
        return Rollup.ERROR
    if not statuses:
        return Rollup.NO_DATA
    if statuses == {Status.NOT_APPLICABLE}:
        return Rollup.NOT_APPLICABLE
    return Rollup.PASSING


def requirement_status(check_ids, statuses_by_check):
    """A requirement's status in an account: `statuses_by_check` maps a check id to its findings' statuses
    there (a check absent from it has no finding there)."""
    statuses = {check_id: check_status(statuses_by_check.get(check_id, ())) for check_id in check_ids}
    return requirement_status_of_checks(check_ids, statuses)


def requirement_status_of_checks(check_ids, status_by_check):
    """The same from each check's status there (check_status's; a check absent from it has no data)."""
    if not check_ids:
        return Rollup.NOT_COVERED
    seen = {status_by_check.get(check_id, Rollup.NO_DATA) for check_id in check_ids}
    return next(status for status in WORST_FIRST if status in seen)
