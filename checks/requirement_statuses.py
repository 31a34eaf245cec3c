"""Each account's status of each framework's requirements over time, as RequirementStatus spans (see the model).

A requirement's status in an account is checks.compliance.rollup.requirement_status_of_checks of its checks'
statuses there, so these spans follow the check statuses (checks.check_statuses): refresh() works out an
account's requirements again whenever recording changed its check statuses (in the scan's transaction);
rebuild() works them out of the CheckStatus spans (the migration that introduced the table, the benchmark's
bulk load, tests that rebuild check statuses, and `manage.py rebuild_requirement_statuses` after the mapping
in checks/compliance/ changed). Rows hold for the mapping they were worked out with: a full rebuild records
each framework's fingerprint (RequirementMapping), and readers count from the rows only while it is the
code's (dashboard.compliance.counted_rows; otherwise they count from the check statuses).
"""

import hashlib
import json
from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction

from checks.compliance import FRAMEWORKS
from checks.compliance.rollup import Rollup, requirement_status_of_checks
from checks.models import CheckStatus, RequirementMapping, RequirementStatus, month_pieces, write_spans


def fingerprint(framework):
    """A digest of `framework`'s mapping: each requirement's id and checks, in order (rows name positions)."""
    mapping = [[requirement.id, list(requirement.checks)] for requirement in framework.requirements]
    return hashlib.sha256(json.dumps(mapping).encode()).hexdigest()[:32]


def stale():
    """The slugs of the frameworks whose stored spans were not worked out for the code's mapping."""
    stored = dict(RequirementMapping.objects.values_list("framework", "fingerprint"))
    return [slug for slug, framework in FRAMEWORKS.items() if stored.get(slug) != fingerprint(framework)]


def covered():
    """((framework slug, position), check ids) of every requirement some check gives evidence for."""
    return [
        ((slug, position), requirement.checks)
        for slug, framework in FRAMEWORKS.items()
        for position, requirement in enumerate(framework.requirements)
        if requirement.checks
    ]


def statuses_of(requirements, status_by_check):
    """{(slug, position): status} of `requirements` (covered()'s pairs) from {check id: status}; no data
    (no row) left out."""
    found = {}
    for key, check_ids in requirements:
        status = requirement_status_of_checks(check_ids, status_by_check)
        if status != Rollup.NO_DATA:
            found[key] = str(status)
    return found


def refresh(account_pk, status_by_check, at):
    """After the account's check statuses changed at `at` (now {check id: status}, its open CheckStatus
    spans): close the spans of requirements whose status changed and open their new ones."""
    now = statuses_of(covered(), status_by_check)
    spans = {
        (span.framework, span.requirement): span
        for span in RequirementStatus.objects.filter(account_id=account_pk, until__isnull=True)
    }
    was = {key: span.status for key, span in spans.items()}
    changed = [key for key in was.keys() | now.keys() if now.get(key) != was.get(key)]
    if not changed:
        return
    closed = [spans[key] for key in changed if key in spans]
    RequirementStatus.objects.filter(pk__in=[span.pk for span in closed]).delete()
    rows = [piece for span in closed for piece in pieces(account_pk, (span.framework, span.requirement), span, at)]
    rows += [open_span(account_pk, key, now[key], at) for key in changed if key in now]
    RequirementStatus.objects.bulk_create(rows)


def pieces(account_pk, key, held, until):
    """The open span `held` closed at `until`: one row per calendar month (UTC) it covered."""
    framework, requirement = key
    return [
        RequirementStatus(
            account_id=account_pk,
            framework=framework,
            requirement=requirement,
            status=held.status,
            since=start,
            until=end,
            month=month,
        )
        for start, end, month in month_pieces(held.since, until)
    ]


def open_span(account_pk, key, status, since):
    framework, requirement = key
    return RequirementStatus(
        account_id=account_pk, framework=framework, requirement=requirement, status=status, since=since
    )


def rebuild(account_pks=None):
    """Work the spans out of the check statuses again (all rows, or those of `account_pks`, replaced); a
    full rebuild records the mapping they were worked out for."""
    checks = CheckStatus.objects.order_by("account_id")
    checks = checks.values_list("account_id", "check_id", "status", "since", "until")
    kept = RequirementStatus.objects.all()
    if account_pks is not None:
        checks, kept = checks.filter(account_id__in=account_pks), kept.filter(account_id__in=account_pks)
    behind = defaultdict(list)  # check id: the requirements it is behind, (key, check ids)
    for key, check_ids in covered():
        for check_id in set(check_ids):
            behind[check_id].append((key, check_ids))
    with transaction.atomic():
        kept.delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
        batch = []
        for account_pk, spans in groupby(checks.iterator(chunk_size=10_000), key=itemgetter(0)):
            batch += account_spans(account_pk, spans, behind)
            if len(batch) >= 50_000:
                write_spans(RequirementStatus, batch)
                batch = []
        write_spans(RequirementStatus, batch)
        if account_pks is None:
            record_mapping()


def record_mapping():
    """Note that every framework's spans are now those of the code's mapping (after a full rebuild)."""
    RequirementMapping.objects.all().delete()
    RequirementMapping.objects.bulk_create(
        [RequirementMapping(framework=slug, fingerprint=fingerprint(each)) for slug, each in FRAMEWORKS.items()]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RequirementStatus._meta.db_table}")  # the page's plans need its statistics


def account_spans(account_pk, check_spans, behind):
    """One account's RequirementStatus rows from its CheckStatus spans ((account, check id, status, since,
    until) rows): at each moment one of them starts or ends, the requirements behind those checks again."""
    starts, ends = defaultdict(list), defaultdict(list)
    for _, check_id, status, since, until in check_spans:
        if check_id in behind:
            starts[since].append((check_id, status))
            if until is not None:
                ends[until].append(check_id)
    status_by_check, held, rows = {}, {}, []  # held: {key: open span} of the requirements with data
    for at in sorted(starts.keys() | ends.keys()):
        before = {check_id: status_by_check.get(check_id) for check_id, _ in starts.get(at, ())}
        for check_id in ends.get(at, ()):  # a check's spans do not overlap: its piece ending here goes first
            before[check_id] = status_by_check.pop(check_id)
        status_by_check.update(starts.get(at, ()))
        moved = [check_id for check_id, was in before.items() if status_by_check.get(check_id) != was]
        touched = {key: check_ids for check_id in moved for key, check_ids in behind[check_id]}
        for key, check_ids in touched.items():
            status = requirement_status_of_checks(check_ids, status_by_check)
            status = None if status == Rollup.NO_DATA else str(status)
            if status == (held[key].status if key in held else None):
                continue
            if key in held:
                rows += pieces(account_pk, key, held.pop(key), at)
            if status:
                held[key] = open_span(account_pk, key, status, at)
    return rows + list(held.values())
