"""Faults from AWS never turn into a PASS: throttling storms, denied services and APIs, disabled regions,
roles that cannot be assumed — each against the moto server, through a full scanning.run_scan where the
question is what gets recorded.

Faults are injected with botocore's own event hooks on the session the scan uses: `before-send` answers
an HTTP error instead of sending (so botocore's retry machinery sees it, as it would from AWS), and
conftest's `deny()` raises in `before-call` (no retry: AccessDenied is not retryable anyway).
"""

import contextlib
import json
from types import SimpleNamespace

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from accounts import sessions
from accounts.models import AwsAccount
from accounts.tests.factories import AwsAccountFactory
from checks import scanning
from checks.catalog import CATALOG
from checks.catalog.base import Status
from checks.collectors import sqs
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan
from conftest import deny

pytestmark = pytest.mark.django_db

SQS_CHECKS = {check_id for check_id in CATALOG if check_id.startswith("sqs.")}
THROTTLED_BODY = json.dumps({"__type": "com.amazonaws.sqs#RequestThrottled", "message": "Rate exceeded"}).encode()
THROTTLED_HEADERS = {"x-amzn-query-error": "RequestThrottled;Sender", "Content-Type": "application/x-amz-json-1.0"}


class Body:
    def __init__(self, content):
        self.content = content

    def stream(self, **kwargs):
        yield self.content


def throttle(session, service, operation, times=None):
    """Answer `times` calls (every call when None) with a throttling error before they reach moto."""
    seen = []

    def answer(request, **kwargs):
        seen.append(request.url)
        if times is None or len(seen) <= times:
            return AWSResponse(request.url, 400, THROTTLED_HEADERS, Body(THROTTLED_BODY))
        return None

    session.events.register(f"before-send.{service}.{operation}", answer)
    return seen


@pytest.fixture
def backoffs(monkeypatch):
    """The delays botocore waits between attempts, recorded instead of slept (the suite stays fast)."""
    delays = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=delays.append))
    return delays


@pytest.fixture
def scanned(aws, monkeypatch):
    """run_scan of the moto account with the given collectors, through `aws.session` (where faults are hooked)."""
    monkeypatch.setattr(sessions, "own_session", lambda: aws.session)
    account = AwsAccountFactory(account_id=aws.account_id, regions=["us-east-1", "eu-west-1"])

    def scan(collectors=(sqs,)):
        made = Scan.queue(account, Scan.Trigger.CLI)
        # run_scan re-raises after marking the scan failed; these tests judge the rows it left.
        with contextlib.suppress(Exception):
            scanning.run_scan(made, collectors=list(collectors))
        made.refresh_from_db()
        account.refresh_from_db()
        return made

    scan.account = account
    return scan


def queues(aws, encrypted, unencrypted=(), region="us-east-1"):
    client = aws.client("sqs", region)
    for name in encrypted:
        client.create_queue(QueueName=name)
    for name in unencrypted:
        client.create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "false"})


def statuses(account, prefix="sqs."):
    return {
        (f.resource.name, f.status)
        for f in Finding.objects.filter(account=account, check_id__startswith=prefix).select_related("resource")
    }


# --- Throttling ----------------------------------------------------------------------------------------------


def test_clients_use_adaptive_retries_with_the_configured_attempts(aws, settings):
    settings.AWS_MAX_ATTEMPTS = 6
    client = ScanContext(aws.session, aws.account_id, ("us-east-1",)).client("sqs", "us-east-1")

    # botocore's max_attempts counts retries: the first attempt plus six more.
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 7}
    assert client.meta.config.connect_timeout
    assert client.meta.config.read_timeout


def test_a_throttling_storm_is_retried_with_backoff_and_the_data_arrives(aws, backoffs, settings):
    queues(aws, ["plain-queue"])
    storm = throttle(aws.session, "sqs", "ListQueues", times=settings.AWS_MAX_ATTEMPTS)
    ctx = ScanContext(aws.session, aws.account_id, ("us-east-1",))

    collected = sqs.collect(ctx, "us-east-1")

    assert len(storm) == settings.AWS_MAX_ATTEMPTS + 1  # every throttled attempt, then the one that got through
    assert len(backoffs) == settings.AWS_MAX_ATTEMPTS
    assert all(delay > 0 for delay in backoffs)
    assert collected.errors == []
    assert [record.name for record in collected.records] == ["plain-queue"]


def test_a_storm_that_never_ends_is_a_recorded_error_and_never_a_pass(aws, backoffs, scanned, settings):
    queues(aws, ["plain-queue"])
    storm = throttle(aws.session, "sqs", "ListQueues")

    scan = scanned()

    assert len(storm) == 2 * (settings.AWS_MAX_ATTEMPTS + 1)  # two regions, each gave up after its attempts
    assert scan.status == Scan.State.PARTIAL
    assert {(e["api"], e["code"]) for e in scan.collection_errors} == {("sqs:ListQueues", "RequestThrottled")}
    findings = Finding.objects.filter(account=scanned.account, check_id__in=SQS_CHECKS)
    assert findings.exists()
    assert not findings.exclude(status=Status.ERROR).exists()
    assert "RequestThrottled" in findings.first().reason


def test_a_storm_on_one_resource_call_makes_that_resource_error(aws, backoffs, settings):
    queues(aws, ["plain-queue"])
    throttle(aws.session, "sqs", "GetQueueAttributes")
    ctx = ScanContext(aws.session, aws.account_id, ("us-east-1",))
    collected = sqs.collect(ctx, "us-east-1")
    inventory = scanning.build_inventory(
        AwsAccount(account_id=aws.account_id, regions=["us-east-1"]), collected.records, collected.errors, aws_now()
    )

    results = [e for e in evaluate(inventory) if e.check_id in SQS_CHECKS]

    assert len(SQS_CHECKS) > 1  # encryption and the queue policy: both read GetQueueAttributes
    assert sorted((e.check_id, e.record.name, e.result.status) for e in results) == sorted(
        (check_id, "plain-queue", Status.ERROR) for check_id in SQS_CHECKS
    )


def aws_now():
    from django.utils import timezone

    return timezone.now()


# --- AccessDenied, disabled regions --------------------------------------------------------------------------


def test_a_denied_service_keeps_the_previous_fails_and_adds_error_findings(aws, scanned):
    queues(aws, ["plain-queue"], unencrypted=["open-queue"])
    first = scanned()
    assert first.status == Scan.State.SUCCEEDED
    before = statuses(scanned.account)
    assert ("open-queue", Status.FAIL) in before
    events_before = FindingEvent.objects.count()

    deny(aws.session, "sqs", "*")  # every SQS operation, in every region
    second = scanned()

    assert second.status == Scan.State.PARTIAL
    kept = {(name, status) for name, status in statuses(scanned.account) if name in ("plain-queue", "open-queue")}
    assert kept == before  # the FAIL stays a FAIL, the PASS is not re-judged from missing data
    assert not Resource.objects.filter(account=scanned.account, gone_at__isnull=False).exists()
    gaps = Finding.objects.filter(
        account=scanned.account, check_id__in=SQS_CHECKS, resource__type__in=("account", "region")
    )
    assert gaps.count() == 2 * len(SQS_CHECKS)  # each check, in each of the two regions
    assert set(gaps.values_list("status", flat=True)) == {Status.ERROR}
    assert all("AccessDenied" in gap.reason for gap in gaps)
    new_events = FindingEvent.objects.count() - events_before
    assert FindingEvent.objects.filter(scan=second).count() == new_events == 2 * len(SQS_CHECKS)


def test_one_denied_api_errors_its_resources_and_never_passes_them(aws, scanned):
    queues(aws, ["plain-queue"], unencrypted=["open-queue"])
    deny(aws.session, "sqs", "GetQueueAttributes")

    scan = scanned()

    assert scan.status == Scan.State.PARTIAL
    assert statuses(scanned.account) == {("plain-queue", Status.ERROR), ("open-queue", Status.ERROR)}


@pytest.mark.parametrize("code", ["OptInRequired", "UnrecognizedClientException"])
def test_a_disabled_region_is_an_error_there_and_leaves_the_other_region_judged(aws, scanned, code):
    queues(aws, ["east-queue"])
    queues(aws, ["west-queue"], region="eu-west-1")
    scanned()
    assert {name for name, _ in statuses(scanned.account)} >= {"east-queue", "west-queue"}

    def refuse_in_eu_west_1(model, request_signer, **kwargs):
        if request_signer.region_name == "eu-west-1":
            raise ClientError(
                {"Error": {"Code": code, "Message": "The region is not enabled for this account"}}, model.name
            )

    aws.session.events.register("before-call.*.*", refuse_in_eu_west_1)
    scan = scanned()

    assert scan.status == Scan.State.PARTIAL
    assert {(e["region"], e["code"]) for e in scan.collection_errors} == {("eu-west-1", code)}
    west = Finding.objects.get(account=scanned.account, resource__name="west-queue", check_id="sqs.queue_encrypted")
    assert west.status == Status.PASS
    assert west.last_scan_id != scan.pk
    assert Resource.objects.get(name="west-queue").gone_at is None
    region_gap = Finding.objects.get(
        account=scanned.account, resource__type="region", region="eu-west-1", check_id="sqs.queue_encrypted"
    )
    assert region_gap.status == Status.ERROR
    assert code in region_gap.reason
    assert Finding.objects.get(resource__name="east-queue", check_id="sqs.queue_encrypted").last_scan_id == scan.pk


# --- Roles that cannot be assumed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "situation"),
    [
        ("AccessDenied", "the role was deleted, its trust policy changed, or the ExternalId does not match"),
        ("ExpiredToken", "the dashboard's own credentials expired"),
        ("InvalidClientTokenId", "the dashboard's own access key was revoked"),
    ],
)
def test_a_role_that_cannot_be_assumed_fails_the_scan_and_records_nothing(aws, scanned, code, situation):
    queues(aws, [], unencrypted=["open-queue"])
    scanned()  # a good scan first, with the dashboard's own credentials
    account = scanned.account
    before = statuses(account)
    counts = (FindingEvent.objects.count(), AreaScore.objects.count(), Resource.objects.count())

    AwsAccount.objects.filter(pk=account.pk).update(
        role_arn=f"arn:aws:iam::{account.account_id}:role/PostureAudit", external_id="wrong-external-id"
    )
    sessions.forget_credentials()
    deny(aws.session, "sts", "AssumeRole", code=code, message=f"Injected: {situation}")
    scan = scanned()

    assert scan.status == Scan.State.FAILED
    assert "Could not assume the audit role" in scan.error_message
    assert code in scan.error_message
    assert account.connection_status == AwsAccount.Connection.ERROR
    assert code in account.last_error
    assert statuses(account) == before
    assert (FindingEvent.objects.count(), AreaScore.objects.count(), Resource.objects.count()) == counts


def test_credentials_revoked_mid_way_mark_the_account_and_keep_the_findings(aws, scanned):
    queues(aws, [], unencrypted=["open-queue"])
    scanned()
    before = statuses(scanned.account)

    deny(aws.session, "sqs", "*", code="ExpiredToken", message="The security token included in the request is expired")
    scan = scanned()

    assert scan.status == Scan.State.PARTIAL
    assert scanned.account.connection_status == AwsAccount.Connection.ERROR
    assert "ExpiredToken" in scanned.account.last_error
    assert {(n, s) for n, s in statuses(scanned.account) if n == "open-queue"} == before
