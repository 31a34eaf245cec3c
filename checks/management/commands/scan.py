import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

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

    def handle(self, *args, **options):
        concurrency = options["concurrency"] or settings.SCAN_CONCURRENCY
        if options["concurrency"] is not None and options["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1.")
        accounts = self.accounts(options)
        if not options["wait"]:
            for account in accounts:
                self.queue(account)
            return
        scanning.prepare_process()
        failed = self.scan_here_all(accounts, concurrency)
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

    def scan_here_all(self, accounts, concurrency):
        """Scan `accounts` here, up to `concurrency` at once (each in its own thread and database connection).

        One account failing never stops the others; returns the accounts whose scan failed. Inside a caller's
        transaction the scans run one after another on its connection: other connections cannot see its rows.
        """
        self._lock = threading.Lock()
        self._done = 0
        self._total = len(accounts)
        width = min(concurrency, len(accounts))
        if width == 1 or connection.in_atomic_block:
            outcomes = [self.scan_here(account) for account in accounts]
        else:
            self.say(self.stdout, f"Scanning {len(accounts)} accounts, {width} at once.")
            with ThreadPoolExecutor(max_workers=width, thread_name_prefix="scan") as pool:
                outcomes = list(pool.map(self.scan_in_thread, accounts))
        return [account for account, ok in zip(accounts, outcomes, strict=True) if not ok]

    def scan_in_thread(self, account):
        try:
            return self.scan_here(account)
        finally:
            connections.close_all()  # this thread's connections only

    def say(self, stream, line):
        with self._lock:
            stream.write(line)

    def scan_here(self, account):
        """Scan one account; True when it did not fail. Prints one line when it is done."""
        try:
            scan = Scan.queue(account, Scan.Trigger.CLI)
            if scan is None:
                self.finished(self.stderr, f"{account}: a scan is already queued or running.")
                return False
            AwsAccount.objects.filter(pk=account.pk).update(last_scan_started_at=scan.queued_at)
            try:
                scanning.run_scan(scan)
            except Exception as error:  # noqa: BLE001 - reported below, counted as failed
                self.say(self.stderr, f"{account}: {type(error).__name__}: {error}")
            scan.refresh_from_db()
        except Exception as error:  # noqa: BLE001 - the database failed this account; the others go on
            self.finished(self.stderr, f"{account}: {type(error).__name__}: {error}")
            return False
        line = (
            f"{account}: scan {scan.pk} {scan.status} — {scan.resource_count} resources, "
            f"{scan.finding_count} findings, {scan.api_call_count} API calls, "
            f"{len(scan.collection_errors)} collection errors"
        )
        gaps = scan.gaps
        if gaps:
            line += " (could not read " + "; ".join(f"{gap.api} in {', '.join(gap.regions)}" for gap in gaps) + ")"
        if scan.status == Scan.State.FAILED:
            self.finished(self.stderr, f"{line}: {scan.error_message}")
            return False
        self.finished(self.stdout, line)
        return True

    def finished(self, stream, line):
        with self._lock:
            self._done += 1
            prefix = f"[{self._done}/{self._total}] " if self._total > 1 else ""
            stream.write(prefix + line)
