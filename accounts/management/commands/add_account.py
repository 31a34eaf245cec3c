from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import AwsAccount


class Command(BaseCommand):
    help = "Register one AWS account to scan."

    def add_arguments(self, parser):
        parser.add_argument("account_id", metavar="ACCOUNT_ID")
        parser.add_argument("--name", required=True)
        parser.add_argument("--role-arn", default="", help="audit role to assume (blank: own credentials)")
        parser.add_argument("--external-id", default="")
        parser.add_argument("--regions", default="", help="comma-separated, e.g. us-east-1,eu-west-1")

    def handle(self, *args, **options):
        if AwsAccount.objects.filter(account_id=options["account_id"]).exists():
            raise CommandError(f"Account {options['account_id']} is already registered.")
        account = AwsAccount(
            account_id=options["account_id"],
            name=options["name"],
            role_arn=options["role_arn"],
            external_id=options["external_id"],
        )
        if options["regions"]:
            account.regions = [region.strip() for region in options["regions"].split(",") if region.strip()]
        if options["external_id"] and not options["role_arn"]:
            raise CommandError("--external-id needs --role-arn: it is sent when assuming that role.")
        try:
            account.full_clean()
        except ValidationError as error:
            raise CommandError(format_errors(error)) from None
        account.save()
        self.stdout.write(f"Added {account}; regions {', '.join(account.regions)}.")


def format_errors(error):
    lines = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
    return "Invalid account:\n  " + "\n  ".join(lines)
