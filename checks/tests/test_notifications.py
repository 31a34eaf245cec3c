"""Notifications: a scan that makes things worse POSTs a signed JSON summary to a real local HTTP server and
sends an e-mail; a failing endpoint is retried and never fails the scan."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from accounts.tests.factories import AwsAccountFactory
from checks import notifications, scanning
from checks.catalog.base import Status
from checks.inventory import Collected, Record
from checks.models import Finding, Scan
from posture.celery import app

pytestmark = pytest.mark.django_db

SECRET = "a-webhook-secret-shared-with-the-receiver"  # noqa: S105


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.answer)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.end_headers()

    do_GET = do_POST  # urllib follows a 302 to a POST with a GET: a followed redirect is seen either way

    def log_message(self, *args):
        pass


def serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.answer, server.location = [], 204, None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}/hooks/posture?token=abc"
    return server


@pytest.fixture
def receivers(settings):
    """Plain-HTTP receivers on 127.0.0.1, allowed by name as a local receiver (POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP)."""
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = True
    servers = []

    def start():
        servers.append(serve())
        return servers[-1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receivers):
    return receivers()


@pytest.fixture
def eager():
    """Tasks run inline (the test is the worker); errors inside them stay inside them, as on a worker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def estate(monkeypatch):
    """Buckets for a scan without AWS: {name: encrypted}."""
    buckets = {}

    class Buckets:
        SERVICE, SCOPE = "s3", "global"

        @staticmethod
        def collect(ctx, region):
            collected = Collected("s3", region)
            for name, encrypted in buckets.items():
                evidence = {"encrypted": encrypted, "sse_algorithm": "AES256" if encrypted else None}
                collected.add(
                    Record(
                        uid=f"arn:aws:s3:::{name}", type="s3.bucket", region="us-east-1", name=name, evidence=evidence
                    )
                )
            return collected

    monkeypatch.setattr(scanning, "COLLECTORS", [Buckets])
    monkeypatch.setattr(scanning.sessions, "for_account", lambda account: object())
    return buckets


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    account = AwsAccountFactory(name="prod")

    def run():
        made = Scan.queue(account, Scan.Trigger.SCHEDULE)
        with django_capture_on_commit_callbacks(execute=True):
            scanning.run_scan(made)
        made.refresh_from_db()
        return made

    return run


def test_a_regression_and_a_new_high_failure_reach_the_webhook_signed(receiver, eager, estate, scan, settings):
    settings.WEBHOOK_URLS, settings.WEBHOOK_SECRET = [receiver.url], SECRET
    estate.update({"steady": True, "was-fine": True})
    scan()
    receiver.received.clear()  # the first scan had nothing worse: everything passed
    estate.update({"was-fine": False, "brand-new": False})

    second = scan()

    assert second.status == Scan.State.SUCCEEDED
    [(headers, body)] = receiver.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[notifications.SIGNATURE_HEADER], expected)
    assert headers["Content-Type"] == "application/json"
    summary = json.loads(body)
    assert summary["scan_id"] == second.pk
    assert summary["account_name"] == "prod"
    assert [(i["check_id"], i["resource_name"]) for i in summary["regressions"]] == [
        ("s3.bucket_default_encryption", "was-fine")
    ]
    assert ("s3.bucket_default_encryption", "brand-new") in {
        (i["check_id"], i["resource_name"]) for i in summary["new_failures"]
    }
    assert summary["counts"]["regressions"] == 1


def test_a_scan_that_made_nothing_worse_sends_nothing(receiver, eager, estate, scan, settings):
    settings.WEBHOOK_URLS = [receiver.url]
    estate.update({"open": False})
    scan()
    receiver.received.clear()

    scan()  # still failing: not new, not a regression

    assert receiver.received == []


def test_a_muted_regression_is_not_announced(receiver, eager, estate, scan, settings):
    from datetime import timedelta

    from django.utils import timezone

    from checks.models import Suppression

    settings.WEBHOOK_URLS = [receiver.url]
    estate.update({"accepted": True})
    scan()
    receiver.received.clear()
    suppression = Suppression.objects.create(
        check_id="s3.bucket_default_encryption",
        resource_pattern="*",
        justification="accepted",
        expires_at=timezone.now() + timedelta(days=1),
    )
    Finding.objects.update(suppression=suppression)
    estate.update({"accepted": False})

    scan()

    assert receiver.received == []


def test_a_failing_endpoint_is_retried_and_never_fails_the_scan(receiver, eager, estate, scan, settings, caplog):
    settings.WEBHOOK_URLS = [receiver.url]
    receiver.answer = 500
    estate.update({"open": False})

    first = scan()

    assert first.status == Scan.State.SUCCEEDED
    assert len(receiver.received) == notifications.DELIVERY_RETRIES + 1
    assert Finding.objects.get(check_id="s3.bucket_default_encryption").status == Status.FAIL
    assert "giving up" in caplog.text
    assert "token=abc" not in caplog.text  # logs name the host, never the URL's secrets


def test_an_unreachable_broker_never_fails_the_scan(estate, scan, settings, monkeypatch):
    settings.WEBHOOK_URLS = ["https://hooks.example.com/x"]

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(notifications.notify_scan, "delay", broker_down)
    estate.update({"open": False})

    assert scan().status == Scan.State.SUCCEEDED


def test_an_email_summary_goes_to_the_configured_addresses(eager, estate, scan, settings):
    settings.NOTIFY_EMAILS = ["security@example.com", "lead@example.com"]
    estate.update({"open": False})

    scan()

    [message] = mail.outbox
    assert message.to == ["security@example.com", "lead@example.com"]
    assert "new critical/high failures" in message.subject
    assert "prod" in message.subject
    assert "s3.bucket_default_encryption on open" in message.body


def test_nothing_is_queued_when_nothing_is_configured(estate, scan, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(notifications.notify_scan, "delay", queued.append)
    estate.update({"open": False})

    scan()

    assert queued == []


# --- What a webhook may reach ---------------------------------------------------------------------------------


def test_plain_http_is_refused_without_the_setting_and_not_retried(receiver, eager, estate, scan, settings, caplog):
    settings.WEBHOOK_URLS, settings.WEBHOOK_ALLOW_PLAIN_HTTP = [receiver.url], False
    estate.update({"open": False})

    assert scan().status == Scan.State.SUCCEEDED
    assert receiver.received == []
    assert caplog.text.count("only https:// is allowed") == 1


def test_a_redirect_is_not_followed(receivers, eager, estate, scan, settings, caplog):
    elsewhere = receivers()
    redirecting = receivers()
    redirecting.answer, redirecting.location = 302, elsewhere.url
    settings.WEBHOOK_URLS = [redirecting.url]
    estate.update({"open": False})

    assert scan().status == Scan.State.SUCCEEDED
    assert len(redirecting.received) == 1  # asked once: a redirect is a wrong URL, not a passing fault
    assert elsewhere.received == []
    assert "redirects are not followed" in caplog.text


def test_the_task_carries_the_index_of_the_url_not_the_url(estate, scan, settings, monkeypatch):
    settings.WEBHOOK_URLS = ["https://hooks.example.com/a?token=one", "https://hooks.example.com/b?token=two"]
    queued = []
    monkeypatch.setattr(notifications.deliver_webhook, "delay", lambda *args: queued.append(args))
    monkeypatch.setattr(notifications.notify_scan, "delay", notifications.notify_scan)
    estate.update({"open": False})

    scan()

    assert [index for index, _ in queued] == [0, 1]
    assert not any("hooks.example.com" in repr(args) or "token" in repr(args) for args in queued)


def test_a_message_naming_no_configured_url_sends_nothing(receiver, settings, caplog):
    settings.WEBHOOK_URLS = [receiver.url]

    delivered = notifications.deliver_webhook.apply(args=(1, "{}")).get()

    assert delivered is False
    assert receiver.received == []
    assert "no webhook URL number 1" in caplog.text
