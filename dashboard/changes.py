"""Net change between two moments: what started failing, was fixed, appeared or went away."""

import heapq
from collections import defaultdict

from accounts.models import AwsAccount
from checks.models import Finding, FindingEvent

KINDS = ("newly failing", "fixed", "appeared", "disappeared")
LIMIT = 100  # findings listed per kind; the totals count them all


def kind_of(before, after):
    before, after = before or "", after or ""
    if before == after:
        return None
    if not before:
        return "appeared"
    if not after:
        return "disappeared"
    if after == "FAIL":
        return "newly failing"
    if before == "FAIL" and after == "PASS":
        return "fixed"
    return None


def statuses_across(events):
    """{finding_id: (account_id, status at the window's start, status at its end)} in one pass.

    Every event starts from the status the one before it left (recording writes old → new, "" when
    closed), so a finding's status at the start is the old status of its first event in the window
    and its status at the end the new status of its last: no finding's earlier history is read.
    """
    spans = {}
    rows = events.order_by("at", "id").values_list("finding_id", "account_id", "old_status", "new_status")
    for finding_id, account_id, old, new in rows.iterator(chunk_size=5000):
        first = spans.get(finding_id)
        spans[finding_id] = (account_id, old if first is None else first[1], new)
    return spans


def net_changes(start, end, accounts=None):
    """{kind: {account: [finding, ...]}} (the first LIMIT of each kind, by account name) and exact totals.

    At a year of a large estate a week holds ~140,000 events: they are classified from the window's
    events alone, and only the findings shown are read with their account and resource.
    """
    events = FindingEvent.objects.filter(at__gt=start, at__lte=end)
    if accounts is not None:
        events = events.filter(account__in=accounts)
    names = dict(AwsAccount.objects.values_list("pk", "name"))
    by_kind = {kind: [] for kind in KINDS}
    spans = statuses_across(events)
    for finding_id, (account_id, before, after) in spans.items():
        kind = kind_of(before, after)
        if kind is not None:
            by_kind[kind].append((names.get(account_id, ""), account_id, finding_id))
    totals = {kind: len(found) for kind, found in by_kind.items()}
    shown = {kind: [finding_id for *_, finding_id in heapq.nsmallest(LIMIT, found)] for kind, found in by_kind.items()}
    findings = (
        Finding.objects.filter(pk__in=[pk for ids in shown.values() for pk in ids])
        .select_related("account", "resource")
        .order_by("account__name", "check_id", "pk")
    )
    kind_by_id = {pk: kind for kind, ids in shown.items() for pk in ids}
    grouped = {kind: defaultdict(list) for kind in KINDS}
    for finding in findings:
        _, finding.before, finding.after = spans[finding.pk]
        grouped[kind_by_id[finding.pk]][finding.account].append(finding)
    return {kind: dict(accounts) for kind, accounts in grouped.items()}, totals
