import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import AwsAccount
from accounts.validation import validate_account_id
from dashboard.exports import csv as csv_export
from dashboard.exports import json as json_export
from dashboard.exports.rows import iter_rows, scoped_findings

WRITERS = {"csv": csv_export.write, "json": json_export.write}
LATER = ("xlsx", "pdf", "evidence")


def parse_as_of(value):
    """YYYY-MM-DD → the end of that day (UTC): the posture as it stood on that date."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2026-06-30, not {value!r}.") from None
    end = datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)
    if end.date() > timezone.now().date():
        raise CommandError(f"--as-of {value} is in the future.")
    return end


class Command(BaseCommand):
    help = "Export findings (current, or as of a date) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=[*WRITERS, *LATER])
        parser.add_argument("--account", nargs="+", action="extend", default=[], metavar="ACCOUNT_ID")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")

    def handle(self, *args, **options):
        if options["format"] in LATER:
            raise CommandError(f"The {options['format']} format is not available yet; use csv or json.")
        accounts = self.check_accounts(options["account"])
        as_of = parse_as_of(options["as_of"]) if options["as_of"] else None
        findings = scoped_findings(accounts=accounts, as_of=as_of)
        try:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                count = WRITERS[options["format"]](iter_rows(findings, as_of), out)
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {count} findings to {options['output']}.")

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
        return accounts
