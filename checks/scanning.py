"""One scan of one account: assume its role, collect concurrently, evaluate, record."""

import logging
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import organizations, sessions
from accounts.models import AwsAccount
from checks import notifications
from checks.collectors import COLLECTORS, client_services
from checks.collectors.base import ScanContext
from checks.evaluation import evaluate
from checks.inventory import GLOBAL, CollectionError, Inventory
from checks.models import Scan
from checks.recording import record
from posture import heap

logger = logging.getLogger(__name__)


class ScanCancelled(Exception):
    pass


def prepare_process():
    """Ready this process for many scans: each service's first client made (its model, endpoint rules and client
    class, which every later client shares, loaded now) and the heap frozen (posture.heap), so the garbage
    collector's full collections during scans skip all of it."""
    sessions.make_clients_once([*client_services(), "sts"], settings.AWS_HOME_REGION)
    heap.freeze()


def jobs_for(regions, collectors=None):
    collectors = COLLECTORS if collectors is None else collectors
    return [(module, GLOBAL) for module in collectors if module.SCOPE == "global"] + [
        (module, region) for module in collectors if module.SCOPE == "regional" for region in regions
    ]


def run_collector(module, ctx, region):
    try:
        return module.collect(ctx, region)
    except Exception as error:  # noqa: BLE001 - a collector bug is a recorded gap, not a silent pass
        logger.exception("collector %s failed in %s", module.SERVICE, region)
        from checks.inventory import Collected

        failed = Collected(module.SERVICE, region)
        failed.errors.append(
            CollectionError(
                module.SERVICE, region, f"{module.SERVICE}:*", "CollectorFailed", f"{type(error).__name__}: {error}"
            )
        )
        return failed


def collect_all(ctx, on_progress=None, collectors=None):
    """Run every collector × region in a bounded thread pool; returns (records, errors)."""
    jobs = jobs_for(ctx.regions, collectors)
    records, errors = [], []
    with ThreadPoolExecutor(max_workers=settings.SCAN_THREADS) as pool:
        futures = [pool.submit(run_collector, module, ctx, region) for module, region in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            collected = future.result()
            records.extend(collected.records)
            errors.extend(collected.errors)
            if on_progress:
                on_progress(done, len(jobs))
    return records, errors


def build_inventory(account, records, errors, at):
    return Inventory(
        account_id=account.account_id,
        regions=tuple(account.regions),
        now=at,
        records=records,
        errors=errors,
        trusted_account_ids=frozenset(settings.TRUSTED_ACCOUNT_IDS),
        log_retention_min_days=settings.LOG_RETENTION_MIN_DAYS,
    )


def claim(scan):
    """Move a queued scan to running; False if it was cancelled or taken meanwhile."""
    now = timezone.now()
    taken = Scan.objects.filter(pk=scan.pk, status=Scan.State.QUEUED, cancel_requested=False).update(
        status=Scan.State.RUNNING, started_at=now, heartbeat_at=now, stage="assuming role"
    )
    scan.refresh_from_db()
    return bool(taken)


def run_scan(scan, at=None, collectors=None):
    """Scan `scan.account` now (or record it as of `at`); the scan row ends succeeded, partial or failed."""
    if not claim(scan):
        return scan
    account = scan.account
    try:
        session = sessions.for_account(account)
    except Exception as error:  # noqa: BLE001 - any failure to get credentials is the account's status
        account.record_connection(organizations.describe_error(error))
        scan.finish(Scan.State.FAILED, f"Could not assume the audit role: {organizations.describe_error(error)}")
        return scan
    try:
        collect_and_record(scan, account, session, at, collectors)
    except ScanCancelled:
        scan.finish(Scan.State.CANCELLED, "Cancelled by a user.")
    except Exception as error:
        logger.exception("scan %s of %s failed", scan.pk, account.account_id)
        scan.finish(Scan.State.FAILED, f"{type(error).__name__}: {error}")
        raise
    return scan


def collect_and_record(scan, account, session, at, collectors):
    ctx = ScanContext(session, account.account_id, tuple(account.regions), account.home_region)

    def progress(done, total):
        scan.save_progress("collecting", done, total)
        if Scan.objects.filter(pk=scan.pk, cancel_requested=True).exists():
            raise ScanCancelled

    records, errors = collect_all(ctx, progress, collectors)
    if (
        all(error.code in ("AccessDenied", "InvalidClientTokenId", "ExpiredToken") for error in errors)
        and errors
        and not records
    ):
        account.record_connection(f"{errors[0].code}: {errors[0].message}")
    else:
        account.record_connection("")
    scan.save_progress("evaluating")
    inventory = build_inventory(account, records, errors, at or timezone.now())
    evaluations = evaluate(inventory)
    scan.save_progress("recording")
    resources, findings = record(scan, inventory, evaluations, at or timezone.now())
    # Only a gap makes a scan partial: a service that does not answer at all (Proton, retired) is expected.
    state = Scan.State.PARTIAL if any(error.is_gap for error in errors) else Scan.State.SUCCEEDED
    Scan.objects.filter(pk=scan.pk).update(
        resource_count=resources,
        finding_count=findings,
        api_call_count=ctx.call_log.total,
        collection_errors=[error.as_dict() for error in errors[:500]],
    )
    scan.finish(state)
    # Queued only once the results are committed; delivery runs in its own tasks and never fails the scan.
    transaction.on_commit(lambda: notifications.scan_recorded(scan.pk))


def request_scan(account, trigger):
    """Queue a scan of `account` for a worker; None when one is already queued or running."""
    scan = Scan.queue(account, trigger)
    if scan is None:
        return None
    AwsAccount.objects.filter(pk=account.pk).update(last_scan_started_at=scan.queued_at)
    transaction.on_commit(lambda: enqueue(scan))
    return scan


def enqueue(scan):
    from checks.tasks import scan_account

    try:
        scan_account.apply_async((scan.pk,), retry=False)
    except Exception as error:  # noqa: BLE001 - the broker is down: say so on the scan, lose nothing
        logger.warning("could not enqueue scan %s: %s", scan.pk, error)
        scan.finish(Scan.State.FAILED, "The task queue is unavailable; the scan was not started. Try again later.")


def cancel(scan):
    """Ask a queued or running scan to stop; a queued one stops at once."""
    if Scan.objects.filter(pk=scan.pk, status=Scan.State.QUEUED).update(
        status=Scan.State.CANCELLED,
        cancel_requested=True,
        finished_at=timezone.now(),
        error_message="Cancelled before it started.",
    ):
        return True
    return bool(Scan.objects.filter(pk=scan.pk, status=Scan.State.RUNNING).update(cancel_requested=True))


def after_database_loss(scan_id):
    """The scan to run when a scan task is retried because the database went away; None for nothing.

    Results are recorded in one transaction, so a scan either recorded everything or nothing. One that
    recorded is closed, never run again; one that did not is failed and a fresh scan queued in its place,
    so no scan row ever records twice. A scan that never got claimed simply runs.
    """
    scan = Scan.objects.select_related("account").filter(pk=scan_id).first()
    if scan is None or scan.status == Scan.State.QUEUED:
        return scan
    if scan.status != Scan.State.FAILED and scan.is_finished:
        return None
    if scan.scores.exists() or scan.events.exists():
        scan.finish(Scan.State.PARTIAL, "Recorded, but the database connection was lost before the scan was closed.")
        return None
    if not scan.is_finished:
        scan.finish(Scan.State.FAILED, "The database connection was lost during the scan; it was retried.")
    if scan.cancel_requested:
        return None
    return Scan.queue(scan.account, scan.trigger)


def expire_stuck(now=None):
    """Fail scans whose worker went quiet, so an account is never wedged behind a dead scan."""
    now = now or timezone.now()
    quiet = now - timezone.timedelta(seconds=settings.SCAN_HEARTBEAT_TIMEOUT)
    too_old = now - timezone.timedelta(seconds=settings.SCAN_DEADLINE_SECONDS)
    stuck = Scan.objects.filter(status=Scan.State.RUNNING, heartbeat_at__lt=quiet) | Scan.objects.filter(
        status=Scan.State.QUEUED, queued_at__lt=too_old
    )
    return stuck.update(
        status=Scan.State.FAILED,
        finished_at=now,
        error_message="The worker stopped responding before the scan finished.",
    )
