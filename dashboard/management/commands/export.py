import getpass
import socket

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import AwsAccount
from accounts.validation import validate_account_id
from checks.catalog.base import Area, Severity
from checks.compliance import FRAMEWORKS
from dashboard import reports
from dashboard.exports.scope import Scope, ScopeError, parse_as_of
from dashboard.models import ReportJob


class Command(BaseCommand):
    help = (
        "Export findings (current, or as of a date) as CSV, JSON, XLSX, a PDF report, a signed evidence pack or "
        "OCSF 1.x Detection Findings (JSON lines). "
        "Every export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=ReportJob.Format.values)
        parser.add_argument(
            "--account",
            nargs="+",
            action="extend",
            default=[],
            metavar="ACCOUNT_ID",
            help="Only these accounts (default: all).",
        )
        parser.add_argument(
            "--area",
            nargs="+",
            action="extend",
            default=[],
            choices=Area.values,
            help="Only these areas (default: all).",
        )
        parser.add_argument(
            "--severity",
            nargs="+",
            action="extend",
            default=[],
            choices=Severity.values,
            help="Only these severities (default: all).",
        )
        parser.add_argument("--exclude-muted", action="store_true", help="Leave out findings muted on the date.")
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="The posture at the end of that day (UTC), rebuilt from the history."
        )
        parser.add_argument(
            "--framework",
            default="",
            metavar="SLUG",
            help="A compliance framework for the PDF's compliance section, the XLSX Compliance sheet and the pack's "
            f"compliance.json (default: those two carry every framework): {', '.join(FRAMEWORKS)}.",
        )
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, **options):
        try:
            scope = Scope(
                accounts=tuple(self.check_accounts(options["account"])),
                areas=tuple(dict.fromkeys(options["area"])),
                severities=tuple(dict.fromkeys(options["severity"])),
                include_muted=not options["exclude_muted"],
                as_of=parse_as_of(options["as_of"]) if options["as_of"] else None,
                framework=options["framework"],
            )
        except ScopeError as error:
            raise CommandError(str(error)) from None
        operator = f"{getpass.getuser()}@{socket.gethostname()}"
        try:
            count = reports.write(options["format"], scope, options["output"], f"{operator} (manage.py export)")
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error.strerror}.") from None
        reports.record_export(
            None,
            options["format"],
            scope,
            target=options["output"],
            username=f"cli:{operator}"[:150],
            via="manage.py export",
        )
        written = f"{count} findings" if count is not None else f"the {options['format']} report"
        self.stdout.write(f"Wrote {written} to {options['output']}.")

    def check_accounts(self, accounts):
        for account_id in accounts:
            try:
                validate_account_id(account_id)
            except ValidationError as error:
                raise CommandError(error.messages[0]) from None
        known = set(AwsAccount.objects.filter(account_id__in=accounts).values_list("account_id", flat=True))
        missing = sorted(set(accounts) - known)
        if missing:
            raise CommandError(f"Unknown account id(s): {', '.join(missing)}.")
        return list(dict.fromkeys(accounts))
