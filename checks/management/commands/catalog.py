import json
import textwrap

from django.core.management.base import BaseCommand

from checks.catalog import CATALOG


class Command(BaseCommand):
    help = "Print every check in the catalog with its metadata."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        checks = [check.as_dict() for check in CATALOG.values()]
        if options["format"] == "json":
            self.stdout.write(json.dumps(checks, indent=2))
            return
        for check in checks:
            self.stdout.write(f"{check['id']}  [{check['area']} · {check['severity']} · {check['resource_type']}]")
            self.stdout.write(f"  {check['title']}")
            for label in ("rationale", "remediation"):
                wrapped = textwrap.fill(check[label], width=100, initial_indent="    ", subsequent_indent="    ")
                self.stdout.write(f"  {label.title()}:\n{wrapped}")
            self.stdout.write("")
        self.stdout.write(f"{len(checks)} checks.")
