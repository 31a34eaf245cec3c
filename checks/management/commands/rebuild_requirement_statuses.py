from django.core.management.base import BaseCommand

from checks import requirement_statuses


class Command(BaseCommand):
    help = (
        "Work every account's requirement statuses out of its check statuses again: needed after a framework's "
        "mapping (checks/compliance/) changed; until then the Compliance page counts from the check statuses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-stale", action="store_true", help="Only if some framework's mapping changed.")

    def handle(self, *args, **options):
        stale = requirement_statuses.stale()
        if options["if_stale"] and not stale:
            self.stdout.write("Requirement statuses are up to date with every framework's mapping.")
            return
        requirement_statuses.rebuild()
        changed = f" (mapping changed: {', '.join(stale)})" if stale else ""
        self.stdout.write(f"Requirement statuses rebuilt for every framework{changed}.")
