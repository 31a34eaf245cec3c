"""Compliance as of any moment, read from the check statuses, is what the findings themselves give then
(compliance_rows, through every finding's event): listed per account, counted, on the page and in the report."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory
from checks import check_statuses, recording, requirement_statuses
from checks.catalog.base import Area, Severity, Status, check, errored, failed, not_applicable, passed
from checks.compliance import FRAMEWORKS, Framework
from checks.compliance.rollup import Rollup
from checks.evaluation import evaluate
from checks.inventory import Inventory, Record
from checks.models import CheckStatus, FindingEvent, RequirementStatus, Scan
from dashboard import compliance
from dashboard.exports.scope import parse_as_of
from dashboard.tests.test_compliance_view import cell

pytestmark = pytest.mark.django_db

PCI = FRAMEWORKS["pci-dss-4.0"]
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)
RESULTS = {"P": passed, "F": failed, "E": errored, "N": not_applicable}
# Real PCI check ids (so the framework maps them): one alone behind 3.7.4, three behind 3.5.1, one behind 1.3.1.
BUCKET_CHECKS = (PCI.requirement("3.7.4").checks[0], *PCI.requirement("3.5.1").checks[:2])
QUEUE_CHECKS = (PCI.requirement("3.5.1").checks[2], PCI.requirement("1.3.1").checks[0])


@pytest.fixture(autouse=True)
def current_mapping():
    """Requirement statuses recorded from here on are for the code's mapping (the test database may have
    lost the row its migration wrote)."""
    requirement_statuses.record_mapping()


@pytest.fixture(autouse=True)
def mapped_catalog():
    """A catalog of five checks under PCI ids, each judging what a resource's evidence tells it to."""
    from checks.catalog.base import CATALOG

    saved = dict(CATALOG)
    CATALOG.clear()
    for check_ids, resource_type in ((BUCKET_CHECKS, "s3.bucket"), (QUEUE_CHECKS, "sqs.queue")):
        for check_id in check_ids:
            check(
                check_id,
                title="t",
                area=Area.AT_REST,
                severity=Severity.HIGH,
                resource_type=resource_type,
                needs=(f"{resource_type.split('.')[0]}:Get",),
                rationale="r",
                remediation="m",
            )(judged_by_evidence(check_id))
    yield
    CATALOG.clear()
    CATALOG.update(saved)


def judged_by_evidence(check_id):
    def judge(record, inventory):
        return RESULTS[record.evidence["verdicts"].get(check_id, "P")](f"{check_id} as told.")

    return judge


def scan(account, at, resources):
    """Record a scan at `at` of `resources`, {name: "FPEN…"}: a bucket (a name starting with b) or a queue,
    and the verdict of each of its checks (the rest pass)."""
    records = []
    for name, verdicts in resources.items():
        kind, checks = ("s3.bucket", BUCKET_CHECKS) if name.startswith("b") else ("sqs.queue", QUEUE_CHECKS)
        evidence = {"verdicts": dict(zip(checks, verdicts, strict=False))}
        records.append(Record(uid=f"arn:{kind}:{name}", type=kind, region="us-east-1", name=name, evidence=evidence))
    inventory = Inventory(account.account_id, ("us-east-1",), at, records)
    run = Scan.objects.create(account=account, trigger="schedule", status="succeeded", queued_at=at, finished_at=at)
    recording.record(run, inventory, evaluate(inventory), at)


@pytest.fixture
def history():
    """Four accounts scanned at the same moments (ties) over ~70 days: statuses of every kind that flap,
    resources that appear and go away within one day, an account whose queues all go (no data)."""
    start = (timezone.now() - 70 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    timeline = [
        (0 * DAY, {"b1": "PPP", "b2": "PFP", "q1": "PP"}),
        (1 * DAY, {"b1": "PPP", "b2": "PPP", "q1": "PP", "q2": "FE"}),  # q2 appears
        (1 * DAY + timedelta(hours=5), {"b1": "PPP", "b2": "PPP", "q1": "PP"}),  # and goes the same day
        (3 * DAY, {"b1": "NPP", "b2": "NEP", "q1": "NN"}),
        (20 * DAY, {"b1": "NNN", "b2": "NNN", "q1": "PP"}),
        (40 * DAY, {"b1": "FPP", "b2": "PPE", "q1": "PF"}),
        (40 * DAY + TICK, {"b1": "PPP", "b2": "PPP"}),  # queues gone a tick later
        (65 * DAY, {"b1": "PPF", "b3": "PPP", "q3": "EP"}),
    ]
    accounts = AwsAccountFactory.create_batch(4)
    for offset, resources in timeline:
        for number, account in enumerate(accounts):
            shifted = {name: verdicts[number:] + verdicts[:number] for name, verdicts in resources.items()}
            scan(account, start + offset, shifted if number % 2 else resources)
    moments = sorted({start + offset + step for offset, _ in timeline for step in (-TICK, 0 * DAY, TICK)})
    moments += [start + 10 * DAY, start + 31 * DAY, start + 55 * DAY, timezone.now()]
    return accounts, sorted(moments)


def answers(rows):
    return [[(account.pk, status) for account, status in row.statuses] for row in rows]


def counted_from_requirement_statuses(framework, accounts, at):
    """{True}: counted_rows read the requirement statuses at `at`; {False}: the check statuses (set(): it
    found nothing to count)."""
    return {seen is None for _, _, seen, _ in compliance.counted_statuses(framework, [a.pk for a in accounts], at)}


def test_listed_and_counted_statuses_are_the_findings_at_every_moment(history):
    accounts, moments = history

    for at in [*moments, None]:
        truth = compliance.compliance_rows(PCI, accounts, at)
        assert answers(compliance.listed_rows(PCI, accounts, at)) == answers(truth), at
        assert [row.counts for row in compliance.counted_rows(PCI, accounts, at)] == [row.counts for row in truth], at
        assert counted_from_requirement_statuses(PCI, accounts, at) <= {True}, at
    assert counted_from_requirement_statuses(PCI, accounts, None) == {True}
    seen = {
        status for at in moments for row in compliance.compliance_rows(PCI, accounts, at) for _, status in row.statuses
    }
    assert {Rollup.FAILING, Rollup.ERROR, Rollup.NO_DATA, Rollup.PASSING, Rollup.NOT_APPLICABLE} <= seen


def test_statuses_rebuilt_from_the_events_give_the_same_answers(history):
    accounts, moments = history
    recorded = {at: answers(compliance.listed_rows(PCI, accounts, at)) for at in moments}
    CheckStatus.objects.all().delete()

    check_statuses.rebuild()

    assert {at: answers(compliance.listed_rows(PCI, accounts, at)) for at in moments} == recorded


def test_requirement_statuses_rebuilt_from_the_check_statuses_are_those_recorded(history):
    accounts, moments = history
    fields = ("account_id", "framework", "requirement", "status", "since", "until", "month")
    recorded = sorted(RequirementStatus.objects.values_list(*fields))
    assert PCI.slug in {framework for _, framework, *_ in recorded}
    RequirementStatus.objects.all().delete()

    requirement_statuses.rebuild()

    assert sorted(RequirementStatus.objects.values_list(*fields)) == recorded
    for at in moments:
        assert counted_from_requirement_statuses(PCI, accounts, at) <= {True}, at
        truth = compliance.compliance_rows(PCI, accounts, at)
        assert [row.counts for row in compliance.counted_rows(PCI, accounts, at)] == [row.counts for row in truth], at


def changed_mapping():
    """PCI with 3.7.4 and 1.3.1 backed by one more check each (as if edited in checks/compliance/)."""
    more = {"3.7.4": QUEUE_CHECKS[1], "1.3.1": BUCKET_CHECKS[1]}
    requirements = tuple(
        replace(each, checks=(*each.checks, more[each.id])) if each.id in more else each for each in PCI.requirements
    )
    return Framework(PCI.slug, PCI.name, PCI.source, requirements)


def test_after_the_mapping_changed_the_page_counts_from_the_check_statuses_until_rebuilt(
    history, client_as, monkeypatch, django_assert_num_queries
):
    accounts, moments = history
    changed = changed_mapping()
    monkeypatch.setitem(FRAMEWORKS, PCI.slug, changed)  # the page's, and the one requirement statuses follow
    differs = [
        at
        for at in moments
        if [row.counts for row in compliance.compliance_rows(changed, accounts, at)]
        != [row.counts for row in compliance.compliance_rows(PCI, accounts, at)]
    ]
    assert differs  # the stored requirement statuses (of PCI's mapping) would answer wrongly then
    assert requirement_statuses.stale() == [PCI.slug]

    for at in moments:
        assert counted_from_requirement_statuses(changed, accounts, at) <= {False}, at
        truth = compliance.compliance_rows(changed, accounts, at)
        assert [row.counts for row in compliance.counted_rows(changed, accounts, at)] == [row.counts for row in truth]
    assert counted_from_requirement_statuses(changed, accounts, None) == {False}
    monkeypatch.setattr(compliance, "ACCOUNTS_LISTED", 2)
    client = client_as("viewer")
    for days_ago in (0, 35, 69):
        day = (timezone.now() - days_ago * DAY).date()
        with CaptureQueriesContext(connection) as stale:
            page = client.get(reverse("dashboard:compliance"), {"framework": PCI.slug, "as_of": day})
        truth = compliance.compliance_rows(changed, accounts, parse_as_of(day))
        assert [row.counts for row in page.context["rows"]] == [row.counts for row in truth], day

    call_command("rebuild_requirement_statuses")

    assert requirement_statuses.stale() == []
    for at in moments:
        assert counted_from_requirement_statuses(changed, accounts, at) <= {True}, at
        truth = compliance.compliance_rows(changed, accounts, at)
        assert [row.counts for row in compliance.counted_rows(changed, accounts, at)] == [row.counts for row in truth]
    assert counted_from_requirement_statuses(changed, accounts, None) == {True}
    with django_assert_num_queries(len(stale)):  # the same statements, whichever statuses they count from
        client.get(reverse("dashboard:compliance"), {"framework": PCI.slug, "as_of": day})


def test_the_report_says_what_the_findings_said_then(history):
    accounts, moments = history

    for at in moments[::4]:
        report = compliance.framework_report(PCI, accounts, at)
        truth = compliance.compliance_rows(PCI, accounts, at)
        assert [item["status"] for item in report["requirements"]] == [str(row.worst) for row in truth]
        expected = [{a.account_id: str(status) for a, status in row.statuses} for row in truth]
        assert [item["accounts"] for item in report["requirements"]] == expected


@pytest.mark.parametrize("days_ago", [0, 14, 35, 50, 69])
def test_the_page_as_of_a_day_lists_and_counts_what_the_findings_said(
    history, days_ago, client_as, monkeypatch, django_assert_num_queries
):
    accounts, _ = history
    day = (timezone.now() - days_ago * DAY).date()
    truth = compliance.compliance_rows(PCI, accounts, parse_as_of(day))
    client = client_as("viewer")

    with CaptureQueriesContext(connection) as listing:
        listed = client.get(reverse("dashboard:compliance"), {"framework": PCI.slug, "as_of": day}).text
    assert len(listing) <= 10
    for row in filter(lambda row: row.requirement.covered, truth):  # the others show no account's status
        for account, status in row.statuses:
            assert cell(listed, row.requirement.id, account.account_id) == status

    monkeypatch.setattr(compliance, "ACCOUNTS_LISTED", 2)
    with django_assert_num_queries(len(listing)):  # counting reads no more than listing: nothing per account
        counted = client.get(reverse("dashboard:compliance"), {"framework": PCI.slug, "as_of": day})
    assert [row.counts for row in counted.context["rows"]] == [row.counts for row in truth]
    more = AwsAccountFactory.create_batch(5)  # accounts without findings: the same statements count them
    scan(more[0], timezone.now() - DAY, {"b1": "FPP"})
    with django_assert_num_queries(len(listing)):
        counted = client.get(reverse("dashboard:compliance"), {"framework": PCI.slug, "as_of": day})
    truth = compliance.compliance_rows(PCI, accounts + more, parse_as_of(day))
    assert [row.counts for row in counted.context["rows"]] == [row.counts for row in truth]


def test_the_findings_statuses_in_this_history_are_of_every_kind(history):
    statuses = set(FindingEvent.objects.values_list("new_status", flat=True))
    assert statuses == {Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE, ""}
