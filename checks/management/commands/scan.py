import multiprocessing
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from accounts.models import AwsAccount
from checks import scanning
from checks.models import Scan


class Command(BaseCommand):
    help = "Scan accounts: queue scans for the workers, or run them here with --wait (several accounts at once)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--account", nargs="+", action="extend", metavar="ACCOUNT_ID", help="12-digit account id(s) to scan"
        )
        target.add_argument("--all", action="store_true", help="every enabled account")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="run the scans in this process (no broker needed); exit non-zero if one fails",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            metavar="N",
            help="with --wait: accounts scanned at once (default POSTURE_SCAN_CONCURRENCY)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            metavar="N",
            help="with --wait: processes those accounts are spread over (default POSTURE_SCAN_PROCESSES, the CPUs)",
        )

    def handle(self, *args, **options):
        concurrency = options["concurrency"] or settings.SCAN_CONCURRENCY
        if options["concurrency"] is not None and options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1.")
        if options["processes"] is not None and options["processes"] < 1:
            raise CommandError("--processes must be at least 1.")
        processes = options["processes"] or settings.SCAN_PROCESSES
        accounts = self.accounts(options)
        if not options["wait"]:
            for account in accounts:
                self.queue(account)
            return
        scanning.prepare_process()
        failed = self.scan_here_all(accounts, concurrency, processes)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(accounts)} scan(s) failed: {', '.join(str(account) for account in failed)}."
            )

    def accounts(self, options):
        if options["all"]:
            accounts = list(AwsAccount.objects.enabled())
            if not accounts:
                raise CommandError("There are no enabled accounts to scan. Add one with add_account.")
            return accounts
        wanted = options["account"]
        found = {a.account_id: a for a in AwsAccount.objects.filter(account_id__in=wanted)}
        missing = [account_id for account_id in wanted if account_id not in found]
        if missing:
            raise CommandError(f"Unknown account id(s): {', '.join(missing)}. Add them with add_account first.")
        return [found[account_id] for account_id in dict.fromkeys(wanted)]

    def queue(self, account):
        scan = scanning.request_scan(account, Scan.Trigger.CLI)
        if scan is None:
            self.stdout.write(f"{account}: a scan is already queued or running.")
        else:
            self.stdout.write(f"{account}: scan {scan.pk} queued.")

    def scan_here_all(self, accounts, concurrency, processes=1):
        """Scan `accounts` here, up to `concurrency` at once (each in its own thread and database connection),
        spread over up to `processes` processes.

        One account failing never stops the others; returns the accounts whose scan failed. Inside a caller's
        transaction the scans run one after another on its connection: other connections cannot see its rows.
        """
        self._lock = threading.Lock()
        self._done = 0
        self._total = len(accounts)
        width = min(concurrency, len(accounts))
        processes = min(processes, width) if hasattr(os, "fork") else 1
        if width == 1 or connection.in_atomic_block:
            outcomes = [self.scan_here(account) for account in accounts]
        elif processes > 1:
            self.say(self.stdout, f"Scanning {len(accounts)} accounts, {width} at once in {processes} processes.")
            return self.scan_in_processes(accounts, width, processes)
        else:
            self.say(self.stdout, f"Scanning {len(accounts)} accounts, {width} at once.")
            with ThreadPoolExecutor(max_workers=width, thread_name_prefix="scan") as pool:
                outcomes = list(pool.map(self.scan_in_thread, accounts))
        return [account for account, ok in zip(accounts, outcomes, strict=True) if not ok]

    def scan_in_processes(self, accounts, width, processes):
        """Fork `processes` children that take accounts from one queue, each scanning its share `width / processes`
        at once in threads; this process prints each outcome as it arrives.

        The children inherit what prepare_process loaded (shared, as the heap is frozen). A child that dies leaves
        the accounts it had taken without an outcome: they are reported as failed, and the others go on.
        """
        started = timezone.now()
        context = multiprocessing.get_context("fork")
        todo, outcomes = context.Queue(), context.Queue()
        threads = -(-width // processes)
        for account in accounts:
            todo.put(account.pk)
        for _ in range(processes * threads):
            todo.put(None)  # one stop for every thread
        connections.close_all()  # each child opens its own
        children = [
            context.Process(target=self.scan_from_queue, args=(todo, outcomes, threads)) for _ in range(processes)
        ]
        for child in children:
            child.start()
        by_pk = {account.pk: account for account in accounts}
        failed, pending = [], set(by_pk)
        while pending:
            try:
                pk, ok, lines = outcomes.get(timeout=1)
            except queue.Empty:
                if any(child.is_alive() for child in children):
                    continue
                break
            pending.discard(pk)
            self.report(lines)
            if not ok:
                failed.append(by_pk[pk])
        for child in children:
            child.join()
        codes = ", ".join(str(child.exitcode) for child in children)
        for pk in sorted(pending):
            ended = f"its scanning process ended (exit codes {codes})"
            # The scan this command queued for it, left running by the process that died (not one queued by others).
            for orphan in Scan.objects.filter(
                account_id=pk,
                status__in=(Scan.State.QUEUED, Scan.State.RUNNING),
                trigger=Scan.Trigger.CLI,
                queued_at__gte=started,
            ):
                orphan.finish(Scan.State.FAILED, f"No outcome: {ended}.")
            self.finished(self.stderr, f"{by_pk[pk]}: no outcome: {ended}.")
            failed.append(by_pk[pk])
        return failed

    def scan_from_queue(self, todo, outcomes, threads):
        """In a child process: `threads` threads scan accounts from `todo`, putting each outcome in `outcomes`."""

        def work():
            try:
                while (pk := todo.get()) is not None:
                    try:
                        account = AwsAccount.objects.get(pk=pk)
                        ok, lines = self.scan_one(account)
                    except Exception as error:  # noqa: BLE001 - the database failed this account; the others go on
                        ok, lines = False, [("stderr", f"account {pk}: {type(error).__name__}: {error}")]
                    outcomes.put((pk, ok, lines))
            finally:
                connections.close_all()  # this thread's connections only

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scan") as pool:
            for _ in range(threads):
                pool.submit(work)

    def scan_in_thread(self, account):
        try:
            return self.scan_here(account)
        finally:
            connections.close_all()  # this thread's connections only

    def say(self, stream, line):
        with self._lock:
            stream.write(line)

    def scan_here(self, account):
        """Scan one account; True when it did not fail. Prints its lines (the last when it is done)."""
        ok, lines = self.scan_one(account)
        self.report(lines)
        return ok

    def report(self, lines):
        """Print an account's lines from scan_one: its notes, then the line that says how it ended."""
        *notes, (stream, last) = lines
        for note_stream, note in notes:
            self.say(self.stream(note_stream), note)
        self.finished(self.stream(stream), last)

    def stream(self, name):
        return self.stdout if name == "stdout" else self.stderr

    def scan_one(self, account):
        """Scan one account: (did not fail, [(stream name, line), …]), the last line saying how it ended."""
        lines = []
        try:
            scan = Scan.queue(account, Scan.Trigger.CLI)
            if scan is None:
                return False, [("stderr", f"{account}: a scan is already queued or running.")]
            AwsAccount.objects.filter(pk=account.pk).update(last_scan_started_at=scan.queued_at)
            try:
                scanning.run_scan(scan)
            except Exception as error:  # noqa: BLE001 - reported below, counted as failed
                lines.append(("stderr", f"{account}: {type(error).__name__}: {error}"))
            scan.refresh_from_db()
        except Exception as error:  # noqa: BLE001 - the database failed this account; the others go on
            return False, [*lines, ("stderr", f"{account}: {type(error).__name__}: {error}")]
        line = (
            f"{account}: scan {scan.pk} {scan.status} — {scan.resource_count} resources, "
            f"{scan.finding_count} findings, {scan.api_call_count} API calls, "
            f"{len(scan.collection_errors)} collection errors"
        )
        gaps = scan.gaps
        if gaps:
            line += " (could not read " + "; ".join(f"{gap.api} in {', '.join(gap.regions)}" for gap in gaps) + ")"
        if scan.status == Scan.State.FAILED:
            return False, [*lines, ("stderr", f"{line}: {scan.error_message}")]
        return True, [*lines, ("stdout", line)]

    def finished(self, stream, line):
        with self._lock:
            self._done += 1
            prefix = f"[{self._done}/{self._total}] " if self._total > 1 else ""
            stream.write(prefix + line)
