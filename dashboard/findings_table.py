"""Sorting and keyset paging of the findings table, fast at a million rows.

Status, severity, check and account sort by a rank that is not the column's own order (FAIL before
ERROR, critical before high, accounts by name), so a plain ORDER BY CASE would make the database
sort every matching row before it returns the first 50. Instead a sort is *planned* as a list of
buckets walked in order, each one query with a LIMIT that stops as soon as the page is full:

- status/severity: one bucket per status × severity pair, each an index range scan of Finding's
  (status, severity, -id) index — the common case costs a few milliseconds at any size;
- check: catalog ids in order, then status, the (check_id, status) index's own order;
- account: chunks of accounts by name, at most about ten queries, each sorting only its chunk's rows;
- when a filter has no index (region, resource type) the status × severity walk could scan the
  table twenty times over, so it becomes one bucket ordered by rank expressions: one scan; so does one
  account's table, too few rows to be worth a statement per bucket.

Paging is by keyset — the last row's bucket and sort values ride in the URL — so page 1,000 costs
what page 1 costs, and no request counts the whole table.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime
from itertools import product

from django.db.models import Case, IntegerField, Q, Value, When

from checks.catalog.base import Severity, Status

PAGE_SIZE = 50
STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.PASS, Status.NOT_APPLICABLE)
SEVERITY_ORDER = tuple(Severity)
MAX_CHUNKS = 10  # the account sort walks at most about this many buckets
UNINDEXED_FILTERS = ("region", "resource_type")
SORT_KEYS = ("status", "severity", "-status_since", "status_since", "account", "check")


@dataclass(frozen=True)
class Rank:
    """An order given by a list of values: `alias` is annotated as each value's position (unknown ones last)."""

    alias: str
    field: str
    positions: dict  # value → rank, for the values this bucket can hold

    def expression(self, last):
        whens = [When(**{self.field: value}, then=Value(rank)) for value, rank in self.positions.items()]
        return Case(*whens, default=Value(last), output_field=IntegerField())


@dataclass(frozen=True)
class Bucket:
    where: Q
    ranks: tuple = ()  # Rank per annotated alias, in key order


@dataclass(frozen=True)
class Plan:
    buckets: tuple
    keys: tuple  # (field or rank alias, descending); the last key is unique (the id)

    def ordering(self, forward=True):
        return [("-" if descending == forward else "") + field for field, descending in self.keys]

    def rows(self, findings, index):
        bucket = self.buckets[index]
        rows = findings.filter(bucket.where)
        if bucket.ranks:
            rows = rows.annotate(**{rank.alias: rank.expression(10_000) for rank in bucket.ranks})
        return rows


# --- plans -------------------------------------------------------------------------------------------


def positions(values):
    return {value: rank for rank, value in enumerate(values)}


def enum_plan(first, second, fixed, one_scan):
    """Status-then-severity (or the reverse): a bucket per pair the filters allow, or one ranked scan."""
    fields = [first, second]
    orders = {"status": STATUS_ORDER, "severity": SEVERITY_ORDER}
    allowed = {field: [v for v in orders[field] if fixed.get(field) in (None, "", v)] for field in fields}
    if one_scan:
        ranks = tuple(Rank(f"rank_{field}", field, positions(orders[field])) for field in fields)
        return Plan((Bucket(Q(), ranks),), ((ranks[0].alias, False), (ranks[1].alias, False), ("id", True)))
    pairs = product(allowed[first], allowed[second])
    return Plan(tuple(Bucket(Q(**{first: a, second: b})) for a, b in pairs), (("id", True),))


def chunked_plan(field, alias, values, pinned):
    """Rows ordered by `values` (accounts by name), walked in about MAX_CHUNKS chunks; any others last."""
    values = [pinned] if pinned else list(values)
    size = max(1, math.ceil(len(values) / MAX_CHUNKS))
    rank = positions(values)
    buckets = [
        Bucket(Q(**{f"{field}__in": chunk}), (Rank(alias, field, {v: rank[v] for v in chunk}),))
        for chunk in (values[i : i + size] for i in range(0, len(values), size))
    ]
    if not pinned:  # rows whose value is not in the list (an account added since the list was read)
        buckets.append(Bucket(~Q(**{f"{field}__in": values}), (Rank(alias, field, {}),)))
    return Plan(tuple(buckets), ((alias, False), ("id", True)))


def plan_for(sort_key, fixed, account_ids=()):
    """How to walk the rows in `sort_key` order under the filters (`fixed`: filter name → value)."""
    # One account's rows are a few thousand at most: one ranked scan sorts them in a millisecond, where walking
    # the status × severity buckets costs a statement per bucket (a dozen for an account's area).
    one_scan = any(fixed.get(name) for name in UNINDEXED_FILTERS) or bool(fixed.get("account_pk"))
    if sort_key == "severity":
        return enum_plan("severity", "status", fixed, one_scan)
    if sort_key == "-status_since":
        return Plan((Bucket(Q()),), (("status_since", True), ("id", True)))
    if sort_key == "status_since":
        return Plan((Bucket(Q()),), (("status_since", False), ("id", False)))
    if sort_key == "check":
        # Catalog ids in order and, inside a check, statuses alphabetically (errors, failures, n/a, passes):
        # exactly the (check_id, status) index's order, so the database reads rows already sorted.
        return Plan((Bucket(Q()),), (("check_id", False), ("status", False), ("id", True)))
    if sort_key == "account":
        return chunked_plan("account_id", "rank_account", account_ids, fixed.get("account_pk"))
    return enum_plan("status", "severity", fixed, one_scan)


# --- cursors ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    bucket: int
    values: tuple


def encode(bucket, values):
    """The cursor token of a row: its bucket and its sort values."""
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    text = json.dumps([bucket, plain], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token, plan):
    """The cursor in `token`, or None when it is malformed or does not fit the plan (never raises)."""
    try:
        bucket, values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(bucket, int) or not 0 <= bucket < len(plan.buckets) or len(values) != len(plan.keys):
            return None
        return Cursor(bucket, tuple(typed(field, value) for (field, _), value in zip(plan.keys, values, strict=True)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def typed(field, value):
    if field in ("check_id", "status"):
        if not isinstance(value, str):
            raise TypeError(field)
        return value
    if field == "status_since":
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(field)
        return moment
    if not isinstance(value, int) or isinstance(value, bool):  # ids and ranks
        raise TypeError(field)
    return value


def beyond(plan, values, forward):
    """Rows after (forward) or before the cursor row inside its bucket: the keyset condition."""
    condition = Q(pk__in=[])
    for index, (field, descending) in enumerate(plan.keys):
        equal = {prefix: value for (prefix, _), value in zip(plan.keys[:index], values, strict=False)}
        lookup = "lt" if descending == forward else "gt"
        condition |= Q(**equal, **{f"{field}__{lookup}": values[index]})
    return condition


# --- pages --------------------------------------------------------------------------------------------


@dataclass
class Page:
    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_previous(self):
        return not self.is_first


def walk(findings, plan, cursor, forward, size):
    """Up to size + 1 (bucket, sort values) from the cursor on (or back), bucket by bucket.

    Only the sort keys are read (the last is the id): no joins and no whole rows per bucket, which would cost
    the database every matching row's joins before its LIMIT (a team's thousands of failures) and Python a
    full statement per bucket walked (an account's area walks a dozen)."""
    indexes = range(len(plan.buckets)) if forward else range(len(plan.buckets) - 1, -1, -1)
    if cursor is not None:
        indexes = [index for index in indexes if (index >= cursor.bucket if forward else index <= cursor.bucket)]
    fields = [field for field, _ in plan.keys]
    found = []
    for index in indexes:
        rows_here = plan.rows(findings, index)
        if cursor is not None and index == cursor.bucket:
            rows_here = rows_here.filter(beyond(plan, cursor.values, forward))
        keys = rows_here.order_by(*plan.ordering(forward)).values_list(*fields)
        found += [(index, values) for values in keys[: size + 1 - len(found)]]
        if len(found) > size:
            break
    return found


def shown(findings, found):
    """The rows of `found`, in its order, as `findings` loads them (its joins), in one query."""
    if not found:
        return []
    ids = [values[-1] for _, values in found]
    rows = {row.pk: row for row in findings.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]  # a row deleted since the walk is left out


def page_of(findings, plan, after=None, before=None, size=None):
    """One page of `findings` walked by `plan`, after or before a cursor token. Bad tokens mean page one."""
    size = size or PAGE_SIZE
    if before and (cursor := decode(before, plan)):
        found = walk(findings, plan, cursor, False, size)
        if len(found) > size:  # more before these: a full page in the middle
            found = list(reversed(found[:size]))
            return Page(shown(findings, found), encode(*found[-1]), encode(*found[0]), is_first=False)
        # Reached the start: show page one in full rather than a short first page.
    cursor = decode(after, plan) if after else None
    found = walk(findings, plan, cursor, True, size)
    next_cursor = encode(*found[size - 1]) if len(found) > size else None
    found = found[:size]
    previous_cursor = encode(*found[0]) if cursor and found else None
    return Page(shown(findings, found), next_cursor, previous_cursor, is_first=cursor is None)
