from django.core.management.base import BaseCommand, CommandError

from accounts.models import AwsAccount
from checks import scanning
from checks.models import Scan


class Command(BaseCommand):
    help = "Scan accounts: queue scans for the workers, or run them here with --wait."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--account", nargs="+", action="extend", metavar="ACCOUNT_ID", help="12-digit account id(s) to scan"
        )
        target.add_argument("--all", action="store_true", help="every enabled account")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="run the scan in this process (no broker needed); exit non-zero if one fails",
        )

    def handle(self, *args, **options):
        accounts = self.accounts(options)
        failed = 0
        for account in accounts:
            if options["wait"]:
                failed += self.scan_here(account)
            else:
                self.queue(account)
        if failed:
            raise CommandError(f"{failed} of {len(accounts)} scan(s) failed.")

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

    def scan_here(self, account):
        scan = Scan.queue(account, Scan.Trigger.CLI)
        if scan is None:
            self.stderr.write(f"{account}: a scan is already queued or running.")
            return 1
        AwsAccount.objects.filter(pk=account.pk).update(last_scan_started_at=scan.queued_at)
        try:
            scanning.run_scan(scan)
        except Exception as error:  # noqa: BLE001 - reported below, counted as failed
            self.stderr.write(f"{account}: {type(error).__name__}: {error}")
        scan.refresh_from_db()
        line = (
            f"{account}: scan {scan.pk} {scan.status} — {scan.resource_count} resources, "
            f"{scan.finding_count} findings, {scan.api_call_count} API calls, "
            f"{len(scan.collection_errors)} collection errors"
        )
        gaps = scan.gaps
        if gaps:
            line += " (could not read " + "; ".join(f"{gap.api} in {', '.join(gap.regions)}" for gap in gaps) + ")"
        if scan.status == Scan.State.FAILED:
            self.stderr.write(f"{line}: {scan.error_message}")
            return 1
        self.stdout.write(line)
        return 0
