import json
import textwrap

from django.core.management.base import BaseCommand

from checks.catalog import CATALOG
from checks.catalog.base import Area, checks_by_area
from checks.compliance import catalog_entries


class Command(BaseCommand):
    help = "Print every check in the catalog with its metadata, by area (JSON adds each check's compliance mapping)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        if options["format"] == "json":
            self.stdout.write(json.dumps(catalog_entries(), indent=2))
            return
        for area, checks in checks_by_area():
            count = f"{len(checks)} check{'' if len(checks) == 1 else 's'}" if checks else "no checks yet"
            self.stdout.write(f"== {area.label} ({area.value}): {count}\n")
            for check in checks:
                self.write_check(check.as_dict())
        self.stdout.write(f"{len(CATALOG)} checks in {len(Area)} areas.")

    def write_check(self, check):
        self.stdout.write(f"{check['id']}  [{check['area']} · {check['severity']} · {check['resource_type']}]")
        self.stdout.write(f"  {check['title']}")
        for label in ("rationale", "remediation"):
            wrapped = textwrap.fill(check[label], width=100, initial_indent="    ", subsequent_indent="    ")
            self.stdout.write(f"  {label.title()}:\n{wrapped}")
        self.stdout.write("")
