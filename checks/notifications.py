"""Tell people when a scan made things worse: new critical or high failures, or regressions (PASS → FAIL).

After a scan's results commit, `scan_recorded` queues `notify_scan`, which builds one JSON summary from the
scan's events and queues one delivery task per webhook (POSTURE_WEBHOOK_URLS, signed with an HMAC-SHA256
of the body under POSTURE_WEBHOOK_SECRET in `X-Posture-Signature: sha256=<hex>`) and one e-mail
(POSTURE_NOTIFY_EMAILS) — those hear of every account — plus one per team that holds the scan's account and
has a webhook URL (accounts.Team.webhook_url: a team hears of its own accounts only). Webhooks are https://
only (http:// with POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP) and never follow a redirect. Deliveries retry with
backoff and are logged; nothing here can block or fail a scan. Muted findings are accepted risks and are
left out.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from accounts.models import Team
from checks.catalog.base import Severity, Status
from checks.models import FindingEvent, Scan

logger = logging.getLogger(__name__)

URGENT = (Severity.CRITICAL, Severity.HIGH)
MAX_ITEMS = 100  # per list; the counts stay exact
DELIVERY_RETRIES = 5
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Posture-Signature"


def is_configured():
    return bool(settings.WEBHOOK_URLS or settings.NOTIFY_EMAILS) or Team.objects.exclude(webhook_url="").exists()


def team_ids_to_notify(account):
    """The teams holding `account` that have a webhook URL."""
    return list(
        Team.objects.filter(accounts=account).exclude(webhook_url="").order_by("pk").values_list("pk", flat=True)
    )


def scan_recorded(scan_id):
    """Called once a scan's results are committed: queue the summary, never raising into the scan."""
    if not is_configured():
        return
    try:
        notify_scan.delay(scan_id)
    except Exception:  # noqa: BLE001 - the broker being down must not fail a scan that already recorded
        logger.exception("could not queue notifications for scan %s", scan_id)


def item(event):
    finding = event.finding
    return {
        "check_id": finding.check_id,
        "severity": finding.severity,
        "region": finding.region,
        "resource_uid": finding.resource.uid,
        "resource_name": finding.resource.name,
        "reason": event.reason,
        "finding_id": finding.pk,
    }


def summarize(scan):
    """The notification for `scan`, or None when it made nothing worse."""
    events = (
        FindingEvent.objects.filter(scan=scan, new_status=Status.FAIL)
        .select_related("finding", "finding__resource", "finding__suppression")
        .order_by("id")
    )
    new, regressions = [], []
    for event in events:
        if event.finding.is_muted:
            continue
        if event.old_status == Status.PASS:
            regressions.append(event)
        elif not event.old_status and event.finding.severity in URGENT:
            new.append(event)
    if not new and not regressions:
        return None
    account = scan.account
    return {
        "event": "posture.scan.worse",
        "sent_at": timezone.now().isoformat(),  # inside the signed body, so a replay can be told by age
        "scan_id": scan.pk,
        "account_id": account.account_id,
        "account_name": account.name,
        "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        "counts": {"new_critical_or_high": len(new), "regressions": len(regressions)},
        "new_failures": [item(event) for event in new[:MAX_ITEMS]],
        "regressions": [item(event) for event in regressions[:MAX_ITEMS]],
    }


def signature(body, secret):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def subject(summary):
    counts = summary["counts"]
    return (
        f"Posture: {summary['account_name']} ({summary['account_id']}) — "
        f"{counts['new_critical_or_high']} new critical/high failures, {counts['regressions']} regressions"
    )


def text(summary):
    lines = [subject(summary), ""]
    for title, key in (
        ("New critical or high failures", "new_failures"),
        ("Regressions (passed before)", "regressions"),
    ):
        if summary[key]:
            lines.append(f"{title}:")
            lines.extend(line(entry) for entry in summary[key])
            lines.append("")
    return "\n".join(lines)


def line(entry):
    resource = entry["resource_name"] or entry["resource_uid"]
    return f"- [{entry['severity']}] {entry['check_id']} on {resource} ({entry['region']}): {entry['reason']}"


@shared_task(ignore_result=True)
def notify_scan(scan_id):
    scan = Scan.objects.select_related("account").filter(pk=scan_id).first()
    summary = summarize(scan) if scan else None
    if summary is None:
        return 0
    body = json.dumps(summary, sort_keys=True).encode()
    # The task carries the URL's place in POSTURE_WEBHOOK_URLS, never the URL: its token stays out of the
    # broker, and a message written into the broker cannot send the summary anywhere not configured.
    for index in range(len(settings.WEBHOOK_URLS)):
        deliver_webhook.delay(index, body.decode())
    # A team's webhook travels as the team's id, for the same reason; it is looked up when delivered.
    teams = team_ids_to_notify(scan.account)
    for team_id in teams:
        deliver_team_webhook.delay(team_id, body.decode())
    if settings.NOTIFY_EMAILS:
        deliver_email.delay(subject(summary), text(summary))
    return len(settings.WEBHOOK_URLS) + len(teams) + bool(settings.NOTIFY_EMAILS)


class Undeliverable(Exception):
    """A delivery no retry can fix: a refused scheme, a redirect, a URL no longer configured."""


class RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook never follows a redirect: it would carry the signed summary somewhere nobody configured."""

    def redirect_request(self, *args, **kwargs):
        return None  # urllib then raises the 3xx answer as an HTTPError


def webhook_schemes():
    return ("https", "http") if settings.WEBHOOK_ALLOW_PLAIN_HTTP else ("https",)


def webhook_url(index):
    if not 0 <= index < len(settings.WEBHOOK_URLS):
        raise Undeliverable(f"no webhook URL number {index} is configured any more")
    return allowed(settings.WEBHOOK_URLS[index])


def team_webhook_url(team_id, account_id):
    """The webhook of team `team_id`, if it still has one and still holds the account the summary is about."""
    team = Team.objects.filter(pk=team_id, accounts__account_id=account_id).first()
    if team is None or not team.webhook_url:
        raise Undeliverable(f"team {team_id} is gone, has no webhook any more, or no longer holds the account")
    return allowed(team.webhook_url)


def allowed(url):
    if urllib.parse.urlsplit(url).scheme not in webhook_schemes():
        raise Undeliverable("only https:// is allowed (http:// needs POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP=true)")
    return url


def post(url, data):
    headers = {"Content-Type": "application/json", "User-Agent": f"Posture/{settings.POSTURE_VERSION}"}
    if settings.WEBHOOK_SECRET:
        headers[SIGNATURE_HEADER] = signature(data, settings.WEBHOOK_SECRET)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with urllib.request.build_opener(RefuseRedirects).open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise Undeliverable(f"answered HTTP {error.code}; redirects are not followed") from None
        raise


@shared_task(bind=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver_webhook(self, index, body):
    return send(self, lambda: webhook_url(index), body, f"webhook {index}")


@shared_task(bind=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver_team_webhook(self, team_id, body):
    account_id = json.loads(body).get("account_id", "")
    return send(self, lambda: team_webhook_url(team_id, account_id), body, f"team {team_id}'s webhook")


def send(task, locate, body, name):
    """POST `body` to the URL `locate()` gives, retrying `task` with backoff; False once given up."""
    url = ""
    try:
        url = locate()
        status = post(url, body.encode())
    except Undeliverable as error:
        logger.error("%s to %s not delivered: %s", name, host_of(url), error)
        return False
    except Exception as error:  # noqa: BLE001 - any other failure is retried, then logged as given up
        attempt = task.request.retries + 1
        if task.request.retries >= task.max_retries:
            logger.error("webhook to %s failed after %s attempts, giving up: %s", host_of(url), attempt, error)
            return False
        logger.warning("webhook to %s failed (attempt %s), retrying: %s", host_of(url), attempt, error)
        raise task.retry(exc=error, countdown=min(600, 30 * 2**task.request.retries)) from error
    logger.info("webhook to %s delivered (HTTP %s)", host_of(url), status)
    return True


@shared_task(bind=True, ignore_result=True, max_retries=DELIVERY_RETRIES)
def deliver_email(self, subject_line, message):
    try:
        send_mail(subject_line, message, settings.DEFAULT_FROM_EMAIL, settings.NOTIFY_EMAILS)
    except Exception as error:  # noqa: BLE001 - SMTP trouble is retried, then logged
        if self.request.retries >= self.max_retries:
            logger.error("notification e-mail failed, giving up: %s", error)
            return False
        logger.warning("notification e-mail failed (attempt %s), retrying: %s", self.request.retries + 1, error)
        raise self.retry(exc=error, countdown=min(600, 30 * 2**self.request.retries)) from error
    return True


def host_of(url):
    # Logs name the host only: webhook URLs often carry a token in their path or query.
    return urllib.parse.urlsplit(url).netloc.rsplit("@", 1)[-1]
