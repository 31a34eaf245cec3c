"""A framework's requirements, each with its status in every account in view, now or as of a moment.

The one place pages and reports read compliance from: each account's check statuses then (CheckStatus spans,
kept at recording from the same findings and events as the reports' history, checks.history) roll up by
checks.compliance.rollup; counting many accounts reads the requirement statuses kept with them
(RequirementStatus) while they are for the code's mapping. compliance_rows works the same answer out of the
findings themselves (the definition, slow as of a date); tests hold the two together.
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Value, When

from checks import requirement_statuses
from checks.catalog.base import Status
from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import WORST_FIRST, Rollup, requirement_status, requirement_status_of_checks
from checks.history import current_findings, findings_as_of
from checks.models import CheckStatus, Finding, RequirementMapping, RequirementStatus

FAILING_LIMIT = 200  # failing resources listed under one requirement

logger = logging.getLogger(__name__)


ACCOUNTS_LISTED = 50  # above this many accounts in view, the page shows how many accounts have each status
EVERY_ACCOUNT = "every account"  # counted_rows' `among` when the accounts are all there are: nothing to filter


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
    """{account pk: {check id: {finding statuses}}} for `check_ids` in `accounts`, from the findings (as of
    `at`, rebuilt from the event log): the definition the check statuses below are held to, not read by pages."""
    findings = Finding.objects.filter(account__in=accounts, check_id__in=check_ids)
    rows = findings_at(findings, at).values_list("account_id", "check_id", "status_then").distinct()
    results = {}
    for account_pk, check_id, status in rows:
        results.setdefault(account_pk, {}).setdefault(check_id, set()).add(status)
    return results


def compliance_rows(framework, accounts, at=None):
    """One Row per requirement of `framework`, with its status in each of `accounts` (a list), worked out from
    the findings themselves (slow as of a date: every finding's event then): what the fast paths must equal."""
    check_ids = framework_checks(framework)
    results = check_results(check_ids, [account.pk for account in accounts], at)
    return [
        Row(requirement, tuple((a, requirement_status(requirement.checks, results.get(a.pk, {}))) for a in accounts))
        for requirement in framework.requirements
    ]


def framework_checks(framework):
    return {check_id for requirement in framework.requirements for check_id in requirement.checks}


def check_statuses(check_ids, pks, at=None):
    """(account pk, check id, status) of `check_ids` in the accounts `pks` as of `at` (None: now)."""
    parts = CheckStatus.objects.filter(account_id__in=pks, check_id__in=check_ids).held_at(at)
    first, *rest = [part.values_list("account_id", "check_id", "status") for part in parts]
    return first.union(*rest, all=True) if rest else first


def listed_rows(framework, accounts, at=None):
    """compliance_rows' answer (each account's status), from each account's check statuses then: one query."""
    statuses = {}
    for account_pk, check_id, status in check_statuses(framework_checks(framework), [a.pk for a in accounts], at):
        statuses.setdefault(account_pk, {})[check_id] = status
    return [
        Row(
            requirement,
            tuple((a, requirement_status_of_checks(requirement.checks, statuses.get(a.pk, {}))) for a in accounts),
        )
        for requirement in framework.requirements
    ]


# How many accounts have each status of each requirement, counted by the database. From the requirement
# statuses (RequirementStatus: one row per account and requirement with data, no row: no data) while they
# were worked out for the code's mapping of the framework (RequirementMapping's fingerprint); otherwise
# from the check statuses (CheckStatus rows) by the rule of checks.compliance.rollup (WORST_FIRST's order is
# the rank; tests hold the two to the same answers): a requirement's is the lowest rank of its checks' — a
# check without a status in an account (no row: no finding) makes it NO_DATA unless a check fails or errs
# there. One statement either way: the branch whose condition fails is never run.
COUNTED = """
WITH requirement_checks (requirement, check_id) AS (VALUES {pairs}),
per_check AS ({check_statuses}),
per_requirement AS (
    SELECT requirement, account_id, MIN(rank) AS rank, COUNT(*) AS seen
    FROM requirement_checks JOIN per_check ON per_check.check_id = requirement_checks.check_id
    GROUP BY requirement, account_id
)
SELECT requirement, rank, CAST(NULL AS BIGINT) AS seen, COUNT(*) FROM ({requirement_statuses}) held
WHERE {fresh} GROUP BY requirement, rank
UNION ALL
SELECT requirement, rank, seen, COUNT(*) FROM per_requirement WHERE NOT {fresh} GROUP BY requirement, rank, seen
"""
FRESH = "EXISTS (SELECT 1 FROM {mappings} WHERE framework = %s AND fingerprint = %s)"


def counted_rows(framework, accounts, at=None, among=None):
    """One Row per requirement of `framework` with how many of `accounts` (a list) have each status at `at`.
    `among`: the same accounts as a queryset, which the database reads as a subquery (thousands of ids
    written into the statement cost more to send and to plan), or EVERY_ACCOUNT (no filter at all)."""
    pks = [account.pk for account in accounts]
    counts = [Counter() for _ in framework.requirements]
    statuses = counted_statuses(framework, pks if among is None else among, at) if pks else []
    for position, rank, seen, number in statuses:
        status = WORST_FIRST[rank]
        if seen is not None and seen < len(framework.requirements[position].checks) and rank > NO_DATA_RANK:
            status = Rollup.NO_DATA
        counts[position][status] += number
    if any(seen is not None for _, _, seen, _ in statuses):
        logger.warning(
            "Compliance of %s counted from check statuses: its requirement statuses are for another mapping "
            "(run `manage.py rebuild_requirement_statuses`).",
            framework.slug,
        )
    rows = []
    for requirement, found in zip(framework.requirements, counts, strict=True):
        if not requirement.checks:
            found = Counter({Rollup.NOT_COVERED: len(pks)})
        found[Rollup.NO_DATA] += len(pks) - sum(found.values())  # accounts without a finding of any of its checks
        order = (Rollup.NOT_COVERED, *WORST_FIRST)
        rows.append(Row(requirement, (), tuple((status, found[status]) for status in order if found[status])))
    return rows


NO_DATA_RANK = WORST_FIRST.index(Rollup.NO_DATA)


def counted_statuses(framework, pks, at=None):
    """(requirement's position in the framework, rank, checks seen or None, accounts) rows (integers group
    faster): `seen` None when counted from the requirement statuses. `pks`: account ids, a queryset of
    accounts, or EVERY_ACCOUNT."""
    pairs = [(n, check_id) for n, requirement in enumerate(framework.requirements) for check_id in requirement.checks]
    if not pairs:  # (not `not pks`: that would read a queryset of accounts)
        return []
    held = [  # of every check: the join with the pairs keeps the framework's
        part.annotate(rank=ranks()).values("account_id", "check_id", "rank")
        for part in of_accounts(CheckStatus.objects.all(), pks).held_at(at)
    ]
    held_requirements = [
        part.annotate(rank=ranks()).values("requirement", "rank")
        for part in of_accounts(RequirementStatus.objects.filter(framework=framework.slug), pks).held_at(at)
    ]
    check_sql, check_params = union_all(held)
    requirement_sql, requirement_params = union_all(held_requirements)
    fresh = FRESH.format(mappings=RequirementMapping._meta.db_table)
    sql = COUNTED.format(
        pairs=", ".join(["(%s, %s)"] * len(pairs)),
        check_statuses=check_sql,
        requirement_statuses=requirement_sql,
        fresh=fresh,
    )
    mapping = [framework.slug, requirement_statuses.fingerprint(framework)]
    params = [value for pair in pairs for value in pair] + check_params + requirement_params + mapping + mapping
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ranks():
    return Case(*(When(status=status, then=Value(rank)) for rank, status in enumerate(WORST_FIRST)))


def of_accounts(spans, pks):
    """`spans` of the accounts `pks` (see counted_statuses)."""
    if pks is EVERY_ACCOUNT:
        return spans
    return spans.filter(account_id__in=pks.values("pk") if hasattr(pks, "values") else pks)


def union_all(querysets):
    """(SQL, params) of the querysets' rows one after the other."""
    compiled = [queryset.query.sql_with_params() for queryset in querysets]
    return " UNION ALL ".join(sql for sql, _ in compiled), [param for _, params in compiled for param in params]


def page_rows(framework, accounts, at=None, among=None):
    """The Compliance page's rows: each account's status when they are few, else how many have each
    (`among`: see counted_rows)."""
    if len(accounts) <= ACCOUNTS_LISTED:
        return listed_rows(framework, accounts, at)
    return counted_rows(framework, accounts, at, among)


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
    rows = listed_rows(framework, accounts, at)
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
