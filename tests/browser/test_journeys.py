"""What a security lead does in a morning, in a real browser: sign in, read the overview, narrow the
findings, mute one with an expiry and unmute it, run a scan and watch it finish, read keys and changes.

Each journey also fails on any console error or Content-Security-Policy violation, and saves a
screenshot per step to var/screenshots/.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import AwsAccountFactory
from checks import scanning
from checks.catalog.base import Area, KeyOwner, Severity, Status
from checks.collectors import kms, s3
from checks.models import Scan, Suppression
from conftest import MOTO_ACCOUNT
from dashboard.tests.factories import (
    AreaScoreFactory,
    FindingEventFactory,
    FindingFactory,
    KmsKeyFactory,
    ResourceFactory,
    ScanFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = re.compile(r"/account/\d+/scans/\d+/$")  # the progress fragment (not .../cancel/)
MARKER = "window.__sameDocument"  # set before an htmx action; a full page load would lose it
WORKER_TIMEOUT = 60  # seconds the stand-in worker waits for the test before going on alone
# The scan runs the real pipeline against moto, through two collectors: every collector's own tests
# cover the rest, and moto's unimplemented calls (retried with backoff) would make this journey slow.
SCAN_COLLECTORS = (s3, kms)


def seed_estate():
    """Two accounts with scores, a customer key protecting a bucket, findings of several severities,
    and one finding that started failing two days ago (a change this week)."""
    now = timezone.now()
    payments = AwsAccountFactory(name="payments-prod", account_id="210000000001")
    analytics = AwsAccountFactory(name="analytics-dev", account_id="210000000002")
    for account, score in ((payments, 92.0), (analytics, 64.0)):
        scan = ScanFactory(account=account, queued_at=now - timedelta(hours=2))
        for area in Area:
            AreaScoreFactory(scan=scan, area=area, score=score)
    key = KmsKeyFactory(account=payments, name="orders-key")
    orders = ResourceFactory(
        account=payments, name="orders-archive", key_owner=KeyOwner.CUSTOMER_MANAGED, kms_key_arn=key.uid
    )
    clickstream = ResourceFactory(
        account=analytics, name="raw-clickstream", key_owner=KeyOwner.UNENCRYPTED, evidence={"encrypted": False}
    )
    weblogs = ResourceFactory(account=analytics, name="web-logs")
    findings = {
        "newly_failing": FindingFactory(
            resource=clickstream,
            status=Status.FAIL,
            severity=Severity.HIGH,
            status_since=now - timedelta(days=2),
            reason="Bucket raw-clickstream has no default encryption.",
        ),
        "high_pass": FindingFactory(
            resource=orders, status=Status.PASS, severity=Severity.HIGH, reason="Encrypted with orders-key."
        ),
        "medium_fail": FindingFactory(
            resource=orders,
            check_id="s3.bucket_secure_transport",
            area=Area.IN_TRANSIT,
            severity=Severity.MEDIUM,
            reason="The bucket policy allows plain HTTP.",
        ),
        "low_fail": FindingFactory(
            resource=weblogs,
            check_id="s3.bucket_server_access_logging",
            area=Area.LOGGING,
            severity=Severity.LOW,
            reason="Server access logging is off.",
        ),
    }
    changed = findings["newly_failing"]
    FindingEventFactory(finding=changed, at=now - timedelta(days=20), old_status="", new_status=Status.PASS)
    FindingEventFactory(finding=changed, at=now - timedelta(days=2), old_status=Status.PASS, new_status=Status.FAIL)
    return {"payments": payments, "analytics": analytics, "key": key, **findings}


def finding_rows(page):
    return page.locator("#findings-results tbody tr[id^='finding-']")


def test_sign_in_and_read_the_overview(journey, operator):
    seed_estate()
    page = journey.page
    journey.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))  # signed out: the sign-in form first
    journey.shot("sign-in")

    journey.sign_in(operator.username)

    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    payments = page.locator("#score-grid tbody tr", has_text="payments-prod")
    analytics = page.locator("#score-grid tbody tr", has_text="analytics-dev")
    expect(payments.locator(".score-value")).to_have_count(len(Area))
    expect(payments.locator(".score-value").first).to_have_text("92%")
    expect(analytics.locator(".score-value").first).to_have_text("64%")
    expect(analytics.locator(".score").first).to_have_class(re.compile(r"\bscore-poor\b"))
    journey.shot("overview")
    journey.assert_clean()


def test_filter_findings_then_mute_one_until_a_date_and_unmute_it(journey, operator):
    estate = seed_estate()
    target = estate["newly_failing"]
    page = journey.page
    journey.signed_in_as(operator)
    journey.goto("/findings/")
    expect(finding_rows(page)).to_have_count(4)
    page.evaluate(f"{MARKER} = true")

    page.get_by_label("Severity", exact=True).select_option("high")
    page.wait_for_url(re.compile(r"[?&]severity=high"))
    expect(finding_rows(page)).to_have_count(2)
    page.get_by_label("Status", exact=True).select_option(Status.FAIL)
    page.wait_for_url(re.compile(r"[?&]status=FAIL"))
    expect(finding_rows(page)).to_have_count(1)
    expect(page.locator(f"#finding-{target.pk}")).to_contain_text("raw-clickstream")
    assert "severity=high" in page.url
    assert page.evaluate(MARKER) is True, "the filters reloaded the whole page instead of swapping the table"
    journey.shot("findings-filtered")

    page.locator(f"#finding-{target.pk}").get_by_role("link", name="Bucket has default encryption").click()
    page.wait_for_url(f"**/findings/{target.pk}/")
    expect(page.locator("#finding-badges")).not_to_contain_text("Muted")
    page.evaluate(f"{MARKER} = true")

    until = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Justification").fill("Clickstream is public marketing data; encryption lands next sprint.")
    page.get_by_label("Mute until").fill(until.isoformat())
    page.get_by_role("button", name="Mute", exact=True).click()  # an htmx POST: needs the CSRF header

    panel = page.locator("#mute-panel")
    expect(panel).to_contain_text(f"Muted through {until:%-d %b %Y}")
    expect(panel).to_contain_text("encryption lands next sprint")
    expect(page.locator("#finding-badges")).to_contain_text("Muted")  # swapped out of band
    assert page.evaluate(MARKER) is True
    mute = Suppression.objects.get(findings=target)
    assert timezone.localtime(mute.expires_at - timedelta(microseconds=1)).date() == until
    assert mute.created_by == operator
    journey.shot("finding-muted")

    page.get_by_role("button", name="Unmute").click()
    expect(panel).to_contain_text("Unmuted.")
    expect(panel.get_by_role("button", name="Mute", exact=True)).to_be_visible()
    expect(page.locator("#finding-badges")).not_to_contain_text("Muted")
    assert page.evaluate(MARKER) is True
    mute.refresh_from_db()
    assert mute.revoked_at is not None
    assert mute.revoked_by == operator
    journey.shot("finding-unmuted")
    journey.assert_clean()


class StandInWorker:
    """Runs a queued scan in a thread instead of Celery, one stage at a time on the test's word, so the
    page can be watched queued, then running, then finished without racing the scan."""

    def __init__(self):
        self.may_start = threading.Event()
        self.claimed = threading.Event()
        self.may_collect = threading.Event()
        self.thread = None
        self.failure = None

    def enqueue(self, scan):
        self.thread = threading.Thread(target=self.run, args=(scan.pk,), daemon=True)
        self.thread.start()

    def run(self, scan_id):
        try:
            self.may_start.wait(WORKER_TIMEOUT)
            scanning.run_scan(Scan.objects.select_related("account").get(pk=scan_id), collectors=SCAN_COLLECTORS)
        except BaseException as error:  # noqa: BLE001 - reported by the test, not lost in a thread
            self.failure = error
        finally:
            connections.close_all()

    def gate(self, collect_all):
        def gated(*args, **kwargs):
            self.claimed.set()  # the scan row says "running" now
            self.may_collect.wait(WORKER_TIMEOUT)
            return collect_all(*args, **kwargs)

        return gated

    def finish(self):
        self.may_start.set()
        self.may_collect.set()
        if self.thread:
            self.thread.join(WORKER_TIMEOUT)


@pytest.fixture
def worker(monkeypatch):
    stand_in = StandInWorker()
    monkeypatch.setattr(scanning, "enqueue", stand_in.enqueue)
    monkeypatch.setattr(scanning, "collect_all", stand_in.gate(scanning.collect_all))
    yield stand_in
    stand_in.finish()  # never leave a scan running into the next test's database


def test_start_a_scan_and_watch_its_progress_until_it_ends(journey, operator, worker, aws):
    aws.client("s3").create_bucket(Bucket="sandbox-reports")
    aws.client("kms").create_key(Description="sandbox data key")
    account = AwsAccountFactory(account_id=MOTO_ACCOUNT, name="sandbox", role_arn="", regions=["us-east-1"])
    page = journey.page
    # A fake clock: htmx polls "every 2s" only when the test lets time pass, so nothing races.
    page.clock.install()
    journey.signed_in_as(operator)
    journey.goto(f"/account/{account.pk}/")
    page.clock.pause_at(timezone.now() + timedelta(minutes=1))
    page.evaluate(
        "() => { window.__polls = 0; document.body.addEventListener('htmx:beforeRequest', (event) => {"
        " if (/\\/scans\\/\\d+\\/$/.test(event.detail.requestConfig.path)) window.__polls += 1; }); }"
    )
    progress = page.locator("#scan-progress")
    progress_requests = []
    page.on("request", lambda request: progress_requests.append(request.url) if POLL.search(request.url) else None)

    progress.get_by_role("button", name="Scan now").click()
    expect(progress.locator(".badge")).to_have_text("Queued")
    expect(progress.get_by_role("button", name="Cancel")).to_be_visible()
    scan = Scan.objects.get(account=account)
    journey.shot("queued")

    worker.may_start.set()
    assert worker.claimed.wait(WORKER_TIMEOUT), "the stand-in worker never claimed the scan"
    page.clock.run_for(2500)  # one polling interval (htmx arms the timer as the swap settles)
    expect(progress.locator(".badge")).to_have_text("Running")
    expect(progress).to_contain_text("assuming role")
    journey.shot("running")

    worker.may_collect.set()
    worker.thread.join(WORKER_TIMEOUT)
    assert worker.failure is None, f"the scan raised {worker.failure!r}"
    scan.refresh_from_db()
    assert scan.status in (Scan.State.SUCCEEDED, Scan.State.PARTIAL), scan.error_message
    with page.expect_response(re.compile(rf"/scans/{scan.pk}/$")) as last_poll:
        page.clock.run_for(2500)
    assert last_poll.value.status == 286  # htmx's "stop polling"
    expect(progress.locator(".badge")).to_have_text(scan.get_status_display())
    expect(progress).to_contain_text(f"{scan.resource_count} resources")
    expect(progress.get_by_role("button", name="Scan now")).to_be_visible()
    assert scan.resource_count > 0
    polls = page.evaluate("window.__polls")
    assert polls == 2

    page.clock.run_for(20_000)  # ten more intervals: a finished scan is not polled again
    assert page.evaluate("window.__polls") == polls
    expect(progress).not_to_have_attribute("hx-trigger", re.compile("every"))
    journey.shot("finished")
    journey.assert_clean()
    assert len(progress_requests) == polls  # the network agrees with htmx's own count


def test_keys_and_changes_pages(journey, operator):
    estate = seed_estate()
    page = journey.page
    journey.signed_in_as(operator)
    journey.goto("/")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Keys").click()
    page.wait_for_url("**/keys/")
    key_row = page.locator(f"#key-{estate['key'].pk}")
    expect(key_row).to_contain_text("orders-key")
    expect(key_row).to_contain_text("Customer-managed")
    expect(key_row).to_contain_text("Enabled")
    journey.shot("keys")
    key_row.get_by_role("link", name="1 resource").click()
    expect(page.locator("#key-resources")).to_contain_text("orders-archive")
    journey.shot("key-resources")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Changes").click()
    page.wait_for_url("**/changes/")
    newly_failing = page.locator("#changes-list section", has=page.get_by_role("heading", name="Newly failing"))
    expect(newly_failing).to_contain_text("analytics-dev")
    expect(newly_failing).to_contain_text("raw-clickstream")
    expect(newly_failing.get_by_role("link", name="s3.bucket_default_encryption")).to_have_attribute(
        "href", f"/findings/{estate['newly_failing'].pk}/"
    )
    journey.shot("changes")
    journey.assert_clean()


def test_a_content_security_policy_violation_fails_a_journey(journey):
    """The console check is not vacuous: an inline script, which the CSP forbids, is caught."""
    page = journey.page
    journey.goto("/login/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("() => document.body.append(Object.assign(document.createElement('script'), {text: '1'}))")
    with pytest.raises(AssertionError, match="CSP violations"):
        journey.assert_clean()
