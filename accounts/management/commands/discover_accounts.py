from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import organizations
from accounts.management.commands.add_account import format_errors
from accounts.validation import validate_account_id, validate_external_id, validate_regions


class Command(BaseCommand):
    help = "Register every ACTIVE account of an AWS Organization (and disable those that left)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="management_account",
            required=True,
            metavar="ACCOUNT_ID",
            help="the management or delegated-administrator account",
        )
        parser.add_argument("--role-name", required=True, help="audit role name in every member account")
        parser.add_argument("--external-id", default="")
        parser.add_argument("--regions", default="", help="regions for new accounts, comma-separated")

    def handle(self, *args, **options):
        regions = [region.strip() for region in options["regions"].split(",") if region.strip()] or None
        try:
            validate_account_id(options["management_account"])
            if options["external_id"]:
                validate_external_id(options["external_id"])
            if regions:
                validate_regions(regions)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        try:
            found = organizations.discover(
                options["management_account"], options["role_name"], options["external_id"], regions
            )
        except (ClientError, BotoCoreError) as error:
            raise CommandError(f"Discovery failed: {organizations.describe_error(error)}") from None
        except ValidationError as error:
            raise CommandError(format_errors(error)) from None
        self.stdout.write(
            f"Organization {found.organization}: {len(found.created)} added, "
            f"{len(found.updated)} updated, {len(found.disabled)} disabled."
        )
