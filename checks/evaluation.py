"""Catalog × inventory → results. Pure: no boto3, no ORM, no clock."""

from dataclasses import dataclass

from checks.catalog import CATALOG
from checks.catalog.base import Result, Status, errored, not_applicable
from checks.inventory import GLOBAL, Record


@dataclass(frozen=True)
class Evaluation:
    check_id: str
    record: Record
    result: Result


def applies_to(check, record):
    if check.resource_type == "*":
        return record.type not in ("account", "region")
    if isinstance(check.resource_type, tuple):
        return record.type in check.resource_type
    return record.type == check.resource_type


def scope_record(inventory, region):
    return inventory.account if region == GLOBAL else inventory.region_record(region) or inventory.account


def gap_results(check, inventory):
    """A finding on the account/region for every collection gap this check depends on."""
    results = {}
    for error in inventory.errors:
        if error.resource_uid or not error.covers(check.needs):
            continue
        record = scope_record(inventory, error.region)
        if error.unavailable:
            result = not_applicable(f"{error.service} does not answer in {error.region}: {error.message}")
        else:
            result = errored(
                f"Could not collect the data this check needs: {error.code} on {error.api} "
                f"in {error.region} ({error.message})."
            )
        # One gap finding per scope; a real error outranks "not applicable".
        if record.uid not in results or result.status == Status.ERROR:
            results[record.uid] = Evaluation(check.id, record, result)
    return list(results.values())


def evaluate_check(check, inventory):
    gaps = gap_results(check, inventory)
    gap_uids = {gap.record.uid for gap in gaps}
    evaluations = list(gaps)
    for record in inventory.records:
        if record.uid in gap_uids or not applies_to(check, record):
            continue
        errors = inventory.errors_for(record, check.required)
        if errors:
            first = errors[0]
            result = errored(f"Could not read {first.api}: {first.code} ({first.message}).")
        else:
            result = check.run(record, inventory)
        if result is not None:
            evaluations.append(Evaluation(check.id, record, result))
    return evaluations


def evaluate(inventory, catalog=None):
    """Every applicable check on every record, in catalog order."""
    catalog = CATALOG if catalog is None else catalog
    results = []
    for check in catalog.values():
        results.extend(evaluate_check(check, inventory))
    return results
