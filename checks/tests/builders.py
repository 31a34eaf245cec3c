"""Builders for pure catalog tests: records and inventories without AWS or a database."""

from datetime import UTC, datetime

from checks.catalog import CATALOG
from checks.inventory import Inventory, Record

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def make_record(type_, uid=None, name="thing", region=REGION, key_arn=None, tags=None, **evidence):
    uid = uid or f"arn:aws:{type_.split('.')[0]}:{region}:{ACCOUNT}:{type_.split('.')[-1]}/{name}"
    return Record(uid=uid, type=type_, region=region, name=name, evidence=evidence, key_arn=key_arn, tags=tags or {})


def make_key(key_id="k1", region=REGION, account=ACCOUNT, manager="CUSTOMER", state="Enabled", aliases=(), **evidence):
    uid = f"arn:aws:kms:{region}:{account}:key/{key_id}"
    return Record(
        uid=uid,
        type="kms.key",
        region=region,
        name=key_id,
        evidence={"key_manager": manager, "state": state, "aliases": list(aliases), **evidence},
    )


def make_inventory(*records, errors=(), account_id=ACCOUNT, regions=(REGION,), now=NOW, **options):
    return Inventory(
        account_id=account_id, regions=tuple(regions), now=now, records=list(records), errors=list(errors), **options
    )


def run_check(check_id, record, *others, inventory=None, **options):
    """Run one check on `record` inside an inventory holding it and `others`."""
    inventory = inventory or make_inventory(record, *others, **options)
    return CATALOG[check_id].run(inventory.get(record.uid) or record, inventory)
