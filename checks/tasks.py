from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.models import AwsAccount
from checks import retention, scanning
from checks.models import Scan


@shared_task
def scan_due_accounts():
    """Queue a scan for every enabled account whose interval has passed."""
    queued = 0
    for account in AwsAccount.objects.enabled().due(timezone.now()):
        if scanning.request_scan(account, Scan.Trigger.SCHEDULE):
            queued += 1
    return queued


DATABASE_LOST = (OperationalError, InterfaceError)
DATABASE_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.SCAN_DEADLINE_SECONDS,
    time_limit=settings.SCAN_DEADLINE_SECONDS + 60,
    max_retries=DATABASE_RETRIES,
)
def scan_account(self, scan_id):
    try:
        # A retry never re-runs a scan that may have recorded: it gets a fresh row (or nothing).
        scan = (
            scanning.after_database_loss(scan_id)
            if self.request.retries
            else (Scan.objects.select_related("account").filter(pk=scan_id).first())
        )
        if scan is None:
            return "missing"
        scanning.run_scan(scan)
        return scan.status
    except DATABASE_LOST as error:
        # Celery's Django fixup drops the broken connection before the retry runs.
        raise self.retry(exc=error, countdown=15 * 2**self.request.retries) from error


@shared_task
def expire_stuck_scans():
    return scanning.expire_stuck()


@shared_task
def prune_history():
    """Daily: drop history older than the retention window, in batches (see checks/retention.py)."""
    return retention.prune()
