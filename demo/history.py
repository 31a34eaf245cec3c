"""The demo's past in Posture's database: the story scanned by the real engine as it happened.

On the first run the launcher builds the estate as it was 28 days ago (story.build_past), then
walks forward two days at a time to today: at each step it makes that step's changes in moto
and scans every registered account with `checks.scanning.run_scan(scan, at=moment)`. So every
resource, finding, event and score of the history comes from a real scan of the moto estate,
recorded as of the moment it stands for; only the clock is moved.

Import after django.setup().
"""

import math
import multiprocessing
import signal
import time
from contextlib import contextmanager
from datetime import timedelta

import django
from django.db import connections
from django.utils import timezone

from accounts.models import AwsAccount
from checks import scanning
from checks.models import Finding, Scan
from demo.organization import all_registered, register_accounts, registered
from demo.story import STORY, happen, in_order

DAYS = 28
STEP_DAYS = 2


class HistoryError(Exception):
    pass


def is_recorded():
    return Scan.objects.exists()


def step_days(days=DAYS, step=STEP_DAYS):
    return list(range(-days, 1, step))


def backdate(scan, at):
    """run_scan records findings as of `at`; the scan row's clock times follow them into the past."""
    scan.refresh_from_db(fields=["started_at", "finished_at"])
    took = scan.finished_at - scan.started_at
    Scan.objects.filter(pk=scan.pk).update(queued_at=at, started_at=at, heartbeat_at=at + took, finished_at=at + took)
    AwsAccount.objects.filter(pk=scan.account_id).update(last_scan_started_at=at)


def scan_as_of(account, at):
    scan = Scan.queue(account, Scan.Trigger.SCHEDULE)
    if scan is None:
        raise HistoryError(f"{account.name} already has a scan queued or running")
    scanning.run_scan(scan, at=at)
    backdate(scan, at)
    if scan.status not in (Scan.State.SUCCEEDED, Scan.State.PARTIAL):
        raise HistoryError(f"the scan of {account.name} as of {at:%Y-%m-%d} {scan.status}: {scan.error_message}")
    return scan


def scan_in_worker(account_pk, at):
    """A pool process's job: one scan on the process's own database connection."""
    try:
        return scan_as_of(AwsAccount.objects.get(pk=account_pk), at).pk
    finally:
        connections.close_all()


def scan_all(accounts, at, pool=None):
    """Scan the accounts as of `at`: in this process, or one per pool process at once."""
    if pool is None:  # on this thread's connection (inside the test's transaction, in tests)
        return [scan_as_of(account, at).pk for account in accounts]
    return pool.starmap(scan_in_worker, [(account.pk, at) for account in accounts])


@contextmanager
def scanners(processes):
    """Processes that scan. A scan is CPU-bound Python (botocore makes ~30 clients per scan), so
    threads would share one core; SQLite serializes the processes' recording transactions."""
    if processes <= 1:
        yield None
        return
    connections.close_all()  # each process opens its own
    # Ctrl-C reaches the whole process group: the launcher alone handles it and ends the pool.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = multiprocessing.get_context("spawn").Pool(processes, initializer=django.setup)
    finally:
        signal.signal(signal.SIGINT, previous)
    with pool:  # leaving terminates the processes, on success or on Ctrl-C
        yield pool


def backfill(estate, story=STORY, days=DAYS, step=STEP_DAYS, now=None, processes=1, log=print):
    """Walk the estate from `days` ago to `now`, scanning every account as of each step; returns the steps."""
    now = now or timezone.now()
    started = time.monotonic()
    steps, story, previous = step_days(days, step), in_order(story), -math.inf
    with scanners(processes) as pool:
        for day in steps:
            moment = now + timedelta(days=day)
            events = [event for event in story if previous < event.day <= day]
            for event in events:
                log(f"history: day {day:>3}  {event.what}")
            happen(estate, events)
            if not all_registered(estate):  # an account joined: discovered on the day it joined
                register_accounts(estate, at=moment)
            stepped = time.monotonic()
            scans = scan_all(registered(estate), moment, pool)
            log(
                f"history: day {day:>3}  {len(scans)} accounts scanned as of {moment:%Y-%m-%d %H:%M} "
                f"in {time.monotonic() - stepped:.1f}s"
            )
            previous = day
    log(
        f"history: day {steps[0]} … day {steps[-1]}: {len(steps)} steps, {len(registered(estate))} accounts, "
        f"{Finding.objects.count()} findings, {time.monotonic() - started:.0f}s"
    )
    return steps
