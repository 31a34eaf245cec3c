"""History and faults on the truth estate (checks/tests/truth_estate.py), through `manage.py scan --wait`:

- a second scan after the estate changed records exactly the changes: fixed, regressed, gone — nothing else;
- AccessDenied on one API turns exactly the checks that need it into ERROR, everything else as the truth says;
- throttling is retried by botocore's adaptive mode and the scan sees nothing of it;
- a crash in the middle of recording leaves the previous state as it was, and the scan is marked failed.
"""

import io
import json

import pytest
from botocore.awsrequest import AWSResponse
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import sessions
from accounts.tests.factories import AwsAccountFactory
from checks import recording, scanning
from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate
from checks.inventory import CollectionError, Inventory, Record, region_uid
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan
from checks.tests import truth_estate
from checks.tests.builders import NOW
from checks.tests.truth_estate import HYGIENE, IN_USE, NA
from conftest import deny

pytestmark = pytest.mark.django_db

PASS, FAIL, ERROR = Status.PASS, Status.FAIL, Status.ERROR
CLOSED = ""  # FindingEvent.new_status of a finding whose resource went away


@pytest.fixture
def estate(aws, settings):
    built = truth_estate.build(aws)
    settings.TRUSTED_ACCOUNT_IDS = list(built.trusted)
    truth_estate.register(built)
    return built


def scan(*account_ids):
    """manage.py scan --wait of the given accounts (all when none)."""
    target = ["--account", *account_ids] if account_ids else ["--all"]
    call_command("scan", *target, "--wait", stdout=io.StringIO(), stderr=io.StringIO())


def export(tmp_path, account_id=None):
    path = tmp_path / "findings.json"
    scope = ["--account", account_id] if account_id else []
    call_command("export", "--format", "json", *scope, "-o", str(path), stdout=io.StringIO())
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {
        (row["account_id"], row["check_id"], row["resource_uid"]): (row["status"], row["key_owner"]) for row in rows
    }


def expected(table, account_id=None):
    return {
        key: (value.status, value.key_owner)
        for key, value in table.items()
        if account_id is None or key[0] == account_id
    }


def event_set(events):
    return {
        (e.account.account_id, e.finding.check_id, e.finding.resource.uid, e.old_status, e.new_status)
        for e in events.select_related("account", "finding", "finding__resource")
    }


def session_for(estate, account_id, monkeypatch):
    """The boto3 session scans of `account_id` will use (faults registered on it reach every client they make)."""
    session = estate.aws.session_in(account_id, truth_estate.ROLE)
    real = sessions.for_account
    monkeypatch.setattr(
        sessions, "for_account", lambda account: session if account.account_id == account_id else real(account)
    )
    return session


def capture_contexts(monkeypatch):
    """Every ScanContext the scans make, so their call logs can be read afterwards."""
    made = []

    def keep(*args, **kwargs):
        made.append(ScanContext(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(scanning, "ScanContext", keep)
    return made


# ---- history --------------------------------------------------------------------------------------------------


def test_second_scan_records_fixed_regressed_and_gone_exactly(estate, tmp_path):
    scan()
    assert export(tmp_path) == expected(estate.table())
    first_events = set(FindingEvent.objects.values_list("id", flat=True))
    prod = estate.prod

    bucket = truth_estate.fix_plain_bucket(estate)
    key = truth_estate.disable_report_key(estate)
    volume = truth_estate.delete_plain_volume(estate)
    scan()

    assert event_set(FindingEvent.objects.exclude(id__in=first_events)) == {
        (prod, "s3.bucket_default_encryption", bucket, FAIL, PASS),  # fixed
        (prod, IN_USE, estate.handles["report_log_group"], PASS, FAIL),  # regressed: its key is disabled
        (prod, "kms.key_rotation_enabled", key.arn, PASS, NA),  # a disabled key's rotation is not judged
        (prod, "ebs.volume_encrypted", volume, FAIL, CLOSED),  # gone
        (prod, HYGIENE, volume, PASS, CLOSED),
    }
    gone = Resource.objects.get(account__account_id=prod, uid=volume)
    assert gone.gone_at is not None
    assert list(Resource.objects.filter(gone_at__isnull=False)) == [gone]
    assert not Finding.objects.filter(resource=gone, closed_at__isnull=True).exists()
    # The export now shows the changed estate, every other finding as it was.
    assert export(tmp_path) == expected(estate.table())


# ---- faults -----------------------------------------------------------------------------------------------------


def test_access_denied_on_a_resource_call_errors_exactly_the_checks_that_need_it(estate, monkeypatch, tmp_path):
    prod = estate.prod
    deny(session_for(estate, prod, monkeypatch), "s3", "GetBucketPolicy")

    scan(prod)

    needing = {check.id for check in CATALOG.values() if "s3:GetBucketPolicy" in check.required}
    assert needing == {"s3.bucket_secure_transport", "s3.bucket_min_tls_12"}
    tolerating = {check.id for check in CATALOG.values() if "s3:GetBucketPolicy" in check.tolerates}
    assert tolerating == {"s3.bucket_not_public"}
    table = estate.table()
    want = expected(table, prod)
    # s3.bucket_not_public judges the policy read itself: an unread policy is moot where RestrictPublicBuckets
    # is in force (in this estate, wherever all of Block Public Access is), and a public ACL still fails the
    # bucket (prod-public-site); everywhere else it is an ERROR.
    unrestricted = {
        uid
        for (account, check_id, uid), value in table.items()
        if check_id == "s3.bucket_public_access_blocked" and account == prod and value.status == FAIL
    } - {
        uid
        for (_, check_id, uid), value in table.items()
        if check_id == "s3.bucket_not_public" and value.status == FAIL
    }
    assert unrestricted
    for (account, check_id, uid), (_status, owner) in list(want.items()):
        if check_id in needing or (check_id == "s3.bucket_not_public" and uid in unrestricted):
            want[(account, check_id, uid)] = (ERROR, owner)
    assert export(tmp_path, prod) == want
    errors = Scan.objects.get(account__account_id=prod).collection_errors
    assert {(error["api"], error["code"]) for error in errors if error["resource_uid"]} == {
        ("s3:GetBucketPolicy", "AccessDenied")
    }
    buckets = estate.truth.uids(prod, "s3.bucket")
    denied = Finding.objects.filter(status=ERROR, reason__contains="AccessDenied").count()
    assert denied == len(buckets) * len(needing) + len(unrestricted)


def test_access_denied_on_a_listing_errors_its_check_in_each_region_and_nothing_else(estate, monkeypatch, tmp_path):
    prod = estate.prod
    deny(session_for(estate, prod, monkeypatch), "ec2", "DescribeVolumes")

    scan(prod)

    needing = {check.id for check in CATALOG.values() if "ec2:DescribeVolumes" in check.needs}
    assert needing == {"ebs.volume_encrypted"}
    volumes = set(estate.truth.uids(prod, "ec2.volume"))
    assert volumes
    table = estate.table()
    # No volume was listed, so none is judged; the gap is an ERROR on each region's record instead.
    want = {key: value for key, value in expected(table, prod).items() if key[2] not in volumes}
    for region in truth_estate.REGIONS:
        uid = region_uid(prod, region)
        want[(prod, "ebs.volume_encrypted", uid)] = (ERROR, estate.truth.resources[(prod, uid)].owner)
    assert export(tmp_path, prod) == want
    errors = Scan.objects.get(account__account_id=prod).collection_errors
    denied = [error for error in errors if error["code"] == "AccessDenied"]
    assert sorted((error["api"], error["region"], error["resource_uid"]) for error in denied) == [
        ("ec2:DescribeVolumes", region, "") for region in sorted(truth_estate.REGIONS)
    ]


THROTTLED = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()


class Body:
    def __init__(self, content):
        self.content = content

    def stream(self, **kwargs):
        yield self.content


def throttle_first(session, service, operation, times):
    """Answer the first `times` attempts of `service:operation` with ThrottlingException, then let them through."""
    seen = []

    def answer(request, **kwargs):
        seen.append(request.url)
        if len(seen) <= times:
            headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "throttled"}
            return AWSResponse(request.url, 400, headers, Body(THROTTLED))
        return None

    session.events.register(f"before-send.{service}.{operation}", answer)
    return seen


def test_throttling_is_retried_and_the_scan_sees_nothing_of_it(estate, monkeypatch, tmp_path, settings):
    assert settings.AWS_MAX_ATTEMPTS == 3  # two throttled answers fit in one call's attempts, so nothing gives up
    prod = estate.prod
    attempts = throttle_first(session_for(estate, prod, monkeypatch), "kms", "DescribeKey", times=2)
    contexts = capture_contexts(monkeypatch)

    scan(prod)

    [ctx] = contexts
    describe_calls = sum(count for key, count in ctx.call_log.calls.items() if key[2] == "DescribeKey")
    assert describe_calls > 2
    assert len(attempts) == describe_calls + 2  # each throttled answer cost one more attempt, then it went through
    errors = Scan.objects.get(account__account_id=prod).collection_errors
    assert not [error for error in errors if error["service"] == "kms"]
    assert export(tmp_path, prod) == expected(estate.table(), prod)


def snapshot(account_id):
    """Everything a scan's recording writes for one account, in comparable form."""
    findings = sorted(
        Finding.objects.filter(account__account_id=account_id).values_list(
            "check_id",
            "resource__uid",
            "status",
            "reason",
            "key_owner",
            "closed_at",
            "last_seen",
            "status_since",
            "last_scan_id",
        )
    )
    resources = sorted(
        Resource.objects.filter(account__account_id=account_id).values_list(
            "uid", "key_owner", "kms_key_arn", "evidence", "gone_at", "last_seen"
        )
    )
    return {
        "findings": findings,
        "resources": resources,
        "events": FindingEvent.objects.filter(account__account_id=account_id).count(),
        "scores": AreaScore.objects.filter(account__account_id=account_id).count(),
    }


def test_a_crash_while_recording_leaves_the_previous_state_intact(estate, monkeypatch, tmp_path):
    prod = estate.prod
    scan(prod)
    before = snapshot(prod)
    assert before["events"] == len(before["findings"])
    bucket = truth_estate.fix_plain_bucket(estate)
    volume = truth_estate.delete_plain_volume(estate)
    written = []

    def write_then_crash(*args, **kwargs):
        written.append(real_write_scores(*args, **kwargs))  # resources, findings, events and scores are written…
        raise RuntimeError("database went away")  # …then the recording fails

    real_write_scores = recording.write_scores
    monkeypatch.setattr(recording, "write_scores", write_then_crash)

    with pytest.raises(CommandError, match="1 of 1 scan"):
        scan(prod)

    assert written  # the crash came after rows were written
    assert snapshot(prod) == before
    failed = Scan.objects.filter(account__account_id=prod).order_by("-queued_at").first()
    assert failed.status == Scan.State.FAILED
    assert "database went away" in failed.error_message

    monkeypatch.setattr(recording, "write_scores", real_write_scores)
    scan(prod)  # the next scan records the changes as if the failed one never happened
    latest = Scan.objects.filter(account__account_id=prod).order_by("-queued_at").first()
    assert event_set(FindingEvent.objects.filter(scan=latest)) == {
        (prod, "s3.bucket_default_encryption", bucket, FAIL, PASS),
        (prod, "ebs.volume_encrypted", volume, FAIL, CLOSED),
        (prod, HYGIENE, volume, PASS, CLOSED),
    }
    assert export(tmp_path, prod) == expected(estate.table(), prod)


# ---- what a failed call hides (no AWS: recording alone) ------------------------------------------------------


@pytest.mark.parametrize(
    ("failed_api", "volume_kept"),
    [
        ("ec2:GetEbsDefaultKmsKeyId", False),  # says nothing about which volumes exist: the volume is gone
        ("ec2:DescribeFlowLogs", False),
        ("ec2:DescribeVolumes", True),  # the listing itself failed: what we knew stays
        ("ec2:*", True),  # the whole collector failed
    ],
)
def test_only_a_failed_call_that_lists_a_type_keeps_its_resources(failed_api, volume_kept):
    account = AwsAccountFactory(regions=["us-east-1"])
    uid = f"arn:aws:ec2:us-east-1:{account.account_id}:volume/vol-1"
    volume = Record(uid, "ec2.volume", "us-east-1", "vol-1", evidence={"encrypted": False})

    def record(records, errors, at):
        scan = Scan.objects.create(account=account, trigger=Scan.Trigger.CLI, status=Scan.State.SUCCEEDED)
        inventory = Inventory(account.account_id, ("us-east-1",), at, records, errors)
        recording.record(scan, inventory, evaluate(inventory), at)

    record([volume], [], NOW)
    error = CollectionError("ec2", "us-east-1", failed_api, "AccessDenied", "denied")
    record([], [error], NOW.replace(hour=13))

    kept = Resource.objects.get(uid=uid)
    assert (kept.gone_at is None) == volume_kept
    finding = Finding.objects.get(resource=kept, check_id="ebs.volume_encrypted")
    assert (finding.closed_at is None) == volume_kept
