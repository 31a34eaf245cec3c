"""A framework's requirements, each with its status in every account in view, now or as of a moment.

The one place pages and reports read compliance from: the statuses come from the same history as the
reports (checks.history) and roll up by checks.compliance.rollup.
"""

from dataclasses import dataclass

from checks.catalog.base import Status
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import Rollup, requirement_status
from checks.history import current_findings, findings_as_of
from checks.models import Finding

FAILING_LIMIT = 200  # failing resources listed under one requirement


@dataclass(frozen=True)
class Row:
    requirement: object  # checks.compliance.Requirement
    statuses: tuple  # (account, Rollup) for each account, in the accounts' order

    def accounts_with(self, status):
        return [account for account, each in self.statuses if each == status]

    @property
    def worst(self):
        """The requirement's status across the accounts: the worst of theirs (not covered stays so)."""
        seen = {status for _, status in self.statuses}
        order = (Rollup.NOT_COVERED, Rollup.FAILING, Rollup.ERROR, Rollup.NO_DATA, Rollup.PASSING)
        return next((status for status in order if status in seen), Rollup.NOT_APPLICABLE)


def findings_at(findings, at=None):
    """`findings` with status_then as of `at` (None: now), as the reports read them."""
    return findings_as_of(at, findings) if at else current_findings(findings)


def check_results(check_ids, accounts, at=None):
    """{account pk: {check id: {finding statuses}}} for `check_ids` in `accounts` — one query."""
    findings = Finding.objects.filter(account__in=accounts, check_id__in=check_ids)
    rows = findings_at(findings, at).values_list("account_id", "check_id", "status_then").distinct()
    results = {}
    for account_pk, check_id, status in rows:
        results.setdefault(account_pk, {}).setdefault(check_id, set()).add(status)
    return results


def compliance_rows(framework, accounts, at=None):
    """One Row per requirement of `framework`, with its status in each of `accounts` (a list)."""
    check_ids = {check_id for requirement in framework.requirements for check_id in requirement.checks}
    results = check_results(check_ids, [account.pk for account in accounts], at)
    return [
        Row(requirement, tuple((a, requirement_status(requirement.checks, results.get(a.pk, {}))) for a in accounts))
        for requirement in framework.requirements
    ]


def totals(rows):
    """{Rollup: number of requirements} by each requirement's status across the accounts."""
    counts = dict.fromkeys(Rollup, 0)
    for row in rows:
        counts[row.worst] += 1
    return counts


def failing_findings(requirement, accounts, at=None):
    """The findings failing `requirement` in `accounts` (a queryset) as of `at`, at most FAILING_LIMIT."""
    findings = Finding.objects.filter(account__in=accounts, check_id__in=requirement.checks)
    findings = findings_at(findings, at).filter(status_then=Status.FAIL)
    return findings.select_related("account", "resource").order_by("account__name", "check_id", "pk")[:FAILING_LIMIT]


def frameworks_of(scope):
    """The frameworks a report of `scope` carries: its chosen one, else every one."""
    return [FRAMEWORKS[scope.framework]] if scope.framework else list(FRAMEWORKS.values())


def report(scope):
    """The compliance of `scope`'s accounts as of its moment, as plain JSON values (one dict per framework):
    what compliance.json holds and what the PDF and the XLSX Compliance sheet show."""
    accounts = list(scope.account_rows())
    return [framework_report(each, accounts, scope.at) for each in frameworks_of(scope)]


def framework_report(framework, accounts, at):
    rows = compliance_rows(framework, accounts, at)
    return {
        "framework": framework.slug,
        "name": framework.name,
        "source": framework.source,
        "as_of": at.isoformat(),
        "accounts": [{"account_id": account.account_id, "name": account.name} for account in accounts],
        "requirements": [
            {
                **row.requirement.as_dict(),
                "status": str(row.worst),
                "accounts": {account.account_id: str(status) for account, status in row.statuses},
            }
            for row in rows
        ],
    }
