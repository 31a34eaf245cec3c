from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.models import AwsAccount
from checks import scanning
from checks.models import Scan


@shared_task
def scan_due_accounts():
    """Queue a scan for every enabled account whose interval has passed."""
    queued = 0
    for account in AwsAccount.objects.enabled().due(timezone.now()):
        if scanning.request_scan(account, Scan.Trigger.SCHEDULE):
            queued += 1
    return queued


@shared_task(acks_late=True, soft_time_limit=settings.SCAN_DEADLINE_SECONDS,
             time_limit=settings.SCAN_DEADLINE_SECONDS + 60)
def scan_account(scan_id):
    scan = Scan.objects.select_related("account").filter(pk=scan_id).first()
    if scan is None:
        return "missing"
    scanning.run_scan(scan)
    return scan.status


@shared_task
def expire_stuck_scans():
    return scanning.expire_stuck()
