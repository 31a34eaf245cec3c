"""Collecting in a test the way a scan does: some collectors plus the tagging API, merged into one Inventory."""

from checks.collectors import tagging
from checks.inventory import Inventory
from checks.scanning import collect_all
from checks.tests.builders import NOW


def inventory_of(ctx, *collectors):
    """The Inventory of what `collectors` and the tagging API collect in every region of `ctx`."""
    records, errors = collect_all(ctx, collectors=[*collectors, tagging])
    return Inventory(ctx.account_id, ctx.regions, NOW, records, errors)
