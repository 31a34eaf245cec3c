"""A framework's requirements, each with its status in every account in view, now or as of a moment.

The one place pages and reports read compliance from: the statuses come from the same history as the
reports (checks.history) and roll up by checks.compliance.rollup.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection

from checks.catalog.base import Status
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import WORST_FIRST, Rollup, requirement_status
from checks.history import current_findings, findings_as_of
from checks.models import CheckCount, Finding

FAILING_LIMIT = 200  # failing resources listed under one requirement


ACCOUNTS_LISTED = 50  # above this many accounts in view, the page shows how many accounts have each status


@dataclass(frozen=True)
class Row:
    requirement: object  # checks.compliance.Requirement
    statuses: tuple  # (account, Rollup) for each account, in the accounts' order; () when only counted
    counted: tuple = ()  # ((Rollup, accounts), ...) worst first, when the accounts are only counted

    def accounts_with(self, status):
        return [account for account, each in self.statuses if each == status]

    @property
    def counts(self):
        """((Rollup, number of accounts), ...) of the statuses present, worst first."""
        if self.counted:
            return self.counted
        found = Counter(status for _, status in self.statuses)
        return tuple((status, found[status]) for status in (Rollup.NOT_COVERED, *WORST_FIRST) if found[status])

    @property
    def worst(self):
        """The requirement's status across the accounts: the worst of theirs (not covered stays so)."""
        seen = {status for status, _ in self.counts}
        order = (Rollup.NOT_COVERED, Rollup.FAILING, Rollup.ERROR, Rollup.NO_DATA, Rollup.PASSING)
        return next((status for status in order if status in seen), Rollup.NOT_APPLICABLE)


def findings_at(findings, at=None):
    """`findings` with status_then as of `at` (None: now), as the reports read them."""
    return findings_as_of(at, findings) if at else current_findings(findings)


def check_results(check_ids, accounts, at=None):
    """{account pk: {check id: {finding statuses}}} for `check_ids` in `accounts` — one query (now: from the
    per-account, per-check counts, not the findings)."""
    if at is None:
        counts = CheckCount.objects.filter(account__in=accounts, check_id__in=check_ids)
        rows = counts.values_list("account_id", "check_id", "status")
    else:
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


# Each account's requirement status counted by the database from the per-account, per-check counts, by the
# rule of checks.compliance.rollup (WORST_FIRST's order is the rank; tests hold the two to the same answers):
# a check's status is its findings' lowest rank (a FAIL, else an ERROR, else a PASS, else all NOT_APPLICABLE),
# a requirement's the lowest of its checks' — a check with no finding in an account (no row) makes it NO_DATA
# unless a check fails or errs there.
COUNTED = """
WITH requirement_checks (requirement, check_id) AS (VALUES {pairs}),
per_check AS (
    SELECT account_id, check_id,
           MIN(CASE status WHEN 'FAIL' THEN {failing} WHEN 'ERROR' THEN {error} WHEN 'PASS' THEN {passing}
                           ELSE {not_applicable} END) AS rank
    FROM {counts}
    WHERE account_id IN ({accounts}) AND check_id IN (SELECT check_id FROM requirement_checks)
    GROUP BY account_id, check_id
),
per_requirement AS (
    SELECT requirement, account_id, MIN(rank) AS rank, COUNT(*) AS seen
    FROM requirement_checks JOIN per_check ON per_check.check_id = requirement_checks.check_id
    GROUP BY requirement, account_id
)
SELECT requirement, rank, seen, COUNT(*) FROM per_requirement GROUP BY requirement, rank, seen
"""


def counted_rows(framework, accounts):
    """One Row per requirement of `framework` with how many of `accounts` (a list) have each status now."""
    pks = [account.pk for account in accounts]
    counts = {requirement.id: Counter() for requirement in framework.requirements}
    for requirement_id, rank, seen, number in counted_statuses(framework, pks):
        status = WORST_FIRST[rank]
        if seen < len(framework.requirement(requirement_id).checks) and rank > WORST_FIRST.index(Rollup.NO_DATA):
            status = Rollup.NO_DATA
        counts[requirement_id][status] += number
    rows = []
    for requirement in framework.requirements:
        found = counts[requirement.id]
        if not requirement.checks:
            found = Counter({Rollup.NOT_COVERED: len(pks)})
        found[Rollup.NO_DATA] += len(pks) - sum(found.values())  # accounts without a finding of any of its checks
        order = (Rollup.NOT_COVERED, *WORST_FIRST)
        rows.append(Row(requirement, (), tuple((status, found[status]) for status in order if found[status])))
    return rows


def counted_statuses(framework, pks):
    pairs = [(requirement.id, check_id) for requirement in framework.requirements for check_id in requirement.checks]
    if not pks or not pairs:
        return []
    sql = COUNTED.format(
        pairs=", ".join(["(%s, %s)"] * len(pairs)),
        counts=CheckCount._meta.db_table,
        accounts=", ".join(["%s"] * len(pks)),
        **{status.name.lower(): WORST_FIRST.index(status) for status in WORST_FIRST},
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for pair in pairs for value in pair] + pks)
        return cursor.fetchall()


def page_rows(framework, accounts, at=None):
    """The Compliance page's rows: each account's status when they are few, else how many have each."""
    if len(accounts) <= ACCOUNTS_LISTED:
        return compliance_rows(framework, accounts, at)
    if at is None:
        return counted_rows(framework, accounts)
    return [Row(row.requirement, (), row.counts) for row in compliance_rows(framework, accounts, at)]


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
