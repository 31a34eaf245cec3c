from django.core.management.base import BaseCommand, CommandError

from accounts.teams import TeamError, delete_team, save_team


class Command(BaseCommand):
    help = (
        "Create or update a team: its accounts (exactly those given) and, with --members, its members; "
        "or delete it with --delete. Nothing changes when an account id or user is unknown."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME")
        parser.add_argument("--accounts", nargs="+", default=None, metavar="ACCOUNT_ID")
        parser.add_argument("--members", nargs="+", default=None, metavar="USER")
        parser.add_argument("--delete", action="store_true", help="delete the team (its accounts stay)")

    def handle(self, *args, **options):
        name = options["name"]
        try:
            if options["delete"]:
                if options["accounts"] is not None or options["members"] is not None:
                    raise CommandError("--delete takes no --accounts or --members.")
                delete_team(name)
                self.stdout.write(f"Deleted team {name}.")
                return
            if options["accounts"] is None:
                raise CommandError("Give the team's accounts: --accounts ACCOUNT_ID ... (or --delete).")
            team, created = save_team(name, options["accounts"], options["members"])
        except TeamError as error:
            raise CommandError(str(error)) from None
        accounts = ", ".join(team.accounts.order_by("account_id").values_list("account_id", flat=True))
        members = ", ".join(team.members.order_by("username").values_list("username", flat=True)) or "none"
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} team {team.name}: accounts {accounts}; members {members}.")
