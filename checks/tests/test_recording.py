"""Recording and history: one transaction, events only on change, gone resources, blind spots."""

from datetime import timedelta

import pytest

from accounts.tests.factories import AwsAccountFactory
from checks import history, recording
from checks.catalog.base import Area, Severity, Status, check, failed, passed
from checks.evaluation import evaluate
from checks.inventory import CollectionError, Inventory, Record
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan
from checks.tests.builders import NOW

pytestmark = pytest.mark.django_db


def bucket(name, encrypted=True):
    return Record(
        uid=f"arn:aws:s3:::{name}", type="s3.bucket", region="us-east-1", name=name, evidence={"encrypted": encrypted}
    )


@pytest.fixture
def catalog():
    """A one-check catalog so these tests do not depend on the real checks."""
    from checks.catalog.base import CATALOG

    registered = {}

    def bucket_encrypted(record, inventory):
        return passed("Encrypted.") if record.evidence["encrypted"] else failed("Not encrypted.")

    saved = dict(CATALOG)
    CATALOG.clear()
    check(
        "test.bucket_encrypted",
        title="t",
        area=Area.AT_REST,
        severity=Severity.HIGH,
        resource_type="s3.bucket",
        needs=("s3:GetBucketEncryption",),
        rationale="r",
        remediation="m",
    )(bucket_encrypted)
    registered.update(CATALOG)
    yield registered
    CATALOG.clear()
    CATALOG.update(saved)


def scan_with(account, records, at, errors=()):
    scan = Scan.objects.create(account=account, trigger=Scan.Trigger.CLI, status=Scan.State.SUCCEEDED)
    inventory = Inventory(account.account_id, ("us-east-1",), at, list(records), list(errors))
    recording.record(scan, inventory, evaluate(inventory), at)
    return scan


def test_status_changes_make_events_and_unchanged_rescans_do_not(catalog):
    account = AwsAccountFactory()
    day = timedelta(days=1)
    scan_with(account, [bucket("a", encrypted=False), bucket("b")], NOW)
    scan_with(account, [bucket("a", encrypted=False), bucket("b")], NOW + day)
    assert FindingEvent.objects.count() == 2  # one "new" event per finding, nothing for the re-scan
    scan_with(account, [bucket("a"), bucket("b")], NOW + 2 * day)
    fixed = FindingEvent.objects.filter(old_status=Status.FAIL, new_status=Status.PASS)
    assert [event.finding.resource.name for event in fixed] == ["a"]
    finding = Finding.objects.get(resource__name="a")
    assert finding.status == Status.PASS
    assert finding.status_since == NOW + 2 * day
    assert finding.first_seen == NOW


def test_resource_that_disappears_is_gone_and_its_findings_closed(catalog):
    account = AwsAccountFactory()
    scan_with(account, [bucket("a"), bucket("b")], NOW)
    scan_with(account, [bucket("a")], NOW + timedelta(days=1))
    gone = Resource.objects.get(name="b")
    assert gone.gone_at == NOW + timedelta(days=1)
    assert Finding.objects.get(resource=gone).closed_at == NOW + timedelta(days=1)
    assert FindingEvent.objects.filter(finding__resource=gone, new_status="").count() == 1
    assert Finding.objects.current().count() == 1


def test_listing_gap_keeps_previous_state_and_reports_error(catalog):
    account = AwsAccountFactory()
    scan_with(account, [bucket("a", encrypted=False)], NOW)
    denied = CollectionError("s3", "global", "s3:GetBucketEncryption", "AccessDenied", "no")
    scan_with(account, [], NOW + timedelta(days=1), errors=[denied])
    kept = Finding.objects.get(resource__name="a")
    assert kept.status == Status.FAIL and kept.closed_at is None
    assert Resource.objects.get(name="a").gone_at is None
    gap = Finding.objects.get(resource__type="account")
    assert gap.status == Status.ERROR
    assert "AccessDenied" in gap.reason


def test_scores_are_weighted_and_written_per_area(catalog):
    account = AwsAccountFactory()
    scan = scan_with(account, [bucket("a", encrypted=False), bucket("b"), bucket("c")], NOW)
    at_rest = AreaScore.objects.get(scan=scan, area=Area.AT_REST)
    assert (at_rest.passed, at_rest.failed) == (2, 1)
    assert at_rest.score == pytest.approx(66.7)
    assert AreaScore.objects.get(scan=scan, area=Area.IDENTITY).score is None
    # Every area gets its row, scored or not, so trends and the overview have no holes.
    assert set(AreaScore.objects.filter(scan=scan).values_list("area", flat=True)) == set(Area.values)


def test_as_of_rebuilds_status_on_any_day(catalog):
    account = AwsAccountFactory()
    day = timedelta(days=1)
    scan_with(account, [bucket("a", encrypted=False)], NOW)  # day 0: failing
    scan_with(account, [bucket("a")], NOW + 2 * day)  # day 2: fixed
    scan_with(account, [bucket("a", encrypted=False), bucket("n")], NOW + 4 * day)  # day 4: regressed, n new

    def statuses(at, join_latest=False):
        rows = history.findings_as_of(at, join_latest=join_latest).select_related("resource")
        return {f.resource.name: (f.status_then, f.since_then, f.scan_then, f.reason_then) for f in rows}

    def status(at, join_latest=False):
        return {name: then[0] for name, then in statuses(at, join_latest).items()}

    assert status(NOW + day) == {"a": Status.FAIL}
    assert status(NOW + 3 * day) == {"a": Status.PASS}
    assert status(NOW + 5 * day) == {"a": Status.FAIL, "n": Status.PASS}
    assert status(NOW - day) == {}
    # The joined form (exports read account by account with it) rebuilds exactly the same past.
    for moment in (NOW - day, NOW, NOW + day, NOW + 2 * day, NOW + 3 * day, NOW + 4 * day, NOW + 5 * day):
        assert statuses(moment, join_latest=True) == statuses(moment), moment


def test_second_active_scan_of_an_account_is_refused():
    account = AwsAccountFactory()
    assert Scan.queue(account, Scan.Trigger.MANUAL) is not None
    assert Scan.queue(account, Scan.Trigger.MANUAL) is None


def test_account_and_region_records_carry_no_key_owner_of_their_own(catalog):
    from checks.inventory import region_uid

    account = AwsAccountFactory()
    # A region record whose evidence says "not encrypted" (EBS encryption by default is off).
    region = Record(
        uid=region_uid(account.account_id, "us-east-1"),
        type="region",
        region="us-east-1",
        name="us-east-1",
        evidence={"encrypted": False},
    )
    scan_with(account, [bucket("a"), region], NOW)
    scopes = Resource.objects.filter(type__in=["account", "region"])
    assert scopes.count() == 2
    assert set(scopes.values_list("key_owner", flat=True)) == {""}


def test_new_finding_events_are_found_at_their_exact_moment(catalog):
    account = AwsAccountFactory()
    scan_with(account, [bucket("a"), bucket("b", encrypted=False)], NOW)
    assert FindingEvent.objects.filter(at=NOW).count() == 2
    assert {f.resource.name for f in history.findings_as_of(NOW).select_related("resource")} == {"a", "b"}
