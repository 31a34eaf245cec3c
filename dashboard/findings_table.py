"""Sorting and keyset paging of the findings table, fast at a million rows.

Status and severity are short enums stored as text whose rank is not alphabetical, so ordering by a
CASE expression would make the database sort every matching row before returning the first 50.
Instead a sort is a list of *buckets* (one per status × severity pair, in rank order) walked one by
one; inside a bucket rows come in index order (Finding's (status, severity, -id) index), each bucket
an index range scan with a LIMIT. Paging is by keyset (the last row's bucket and sort values), so
page 1,000 costs what page 1 costs, and no request counts the whole table.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from checks.catalog.base import Severity, Status

PAGE_SIZE = 50
STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.PASS, Status.NOT_APPLICABLE)
SEVERITY_ORDER = tuple(Severity)


@dataclass(frozen=True)
class Sort:
    buckets: tuple  # filter kwargs of each bucket, in display order; ({},) is one bucket of everything
    keys: tuple  # (field, descending) inside a bucket; the last key is unique (the id)

    def ordering(self, forward=True):
        return [("-" if descending == forward else "") + field for field, descending in self.keys]


def ranked(first, second):
    return tuple({first[0]: a, second[0]: b} for a in first[1] for b in second[1])


SORTS = {
    "status": Sort(ranked(("status", STATUS_ORDER), ("severity", SEVERITY_ORDER)), (("id", True),)),
    "severity": Sort(ranked(("severity", SEVERITY_ORDER), ("status", STATUS_ORDER)), (("id", True),)),
    "-status_since": Sort(({},), (("status_since", True), ("id", True))),
    "status_since": Sort(({},), (("status_since", False), ("id", False))),
    "account": Sort(({},), (("account__name", False), ("account_id", False), ("id", True))),
    "check": Sort(({},), (("check_id", False), ("id", True))),
}


def buckets_for(sort, fixed):
    """The sort's buckets that can hold rows under the filters (`fixed`: field → filtered value)."""
    return [
        (index, bucket)
        for index, bucket in enumerate(sort.buckets)
        if all(fixed.get(field) in (None, "", value) for field, value in bucket.items())
    ]


# --- cursors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    bucket: int
    values: tuple


def key_value(row, field):
    value = row
    for part in field.split("__"):
        value = getattr(value, part)
    return value


def encode(row, sort):
    values = [key_value(row, field) for field, _ in sort.keys]
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    text = json.dumps([row.bucket_index, plain], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token, sort):
    """The cursor in `token`, or None when it is malformed or does not fit the sort (never raises)."""
    try:
        bucket, values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(bucket, int) or not 0 <= bucket < len(sort.buckets) or len(values) != len(sort.keys):
            return None
        return Cursor(bucket, tuple(typed(field, value) for (field, _), value in zip(sort.keys, values, strict=True)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def typed(field, value):
    if field in ("id", "account_id"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(field)
        return value
    if field == "status_since":
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(field)
        return moment
    if not isinstance(value, str):
        raise TypeError(field)
    return value


def beyond(sort, values, forward):
    """Rows after (forward) or before the cursor row inside its bucket: the keyset condition."""
    condition = Q(pk__in=[])
    for index, (field, descending) in enumerate(sort.keys):
        equal = {prefix: value for (prefix, _), value in zip(sort.keys[:index], values, strict=False)}
        lookup = "lt" if descending == forward else "gt"
        condition |= Q(**equal, **{f"{field}__{lookup}": values[index]})
    return condition


# --- pages ------------------------------------------------------------------------------------------


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


def walk(findings, sort, buckets, cursor, forward, size):
    """Up to size + 1 rows from the cursor on (or back), bucket by bucket; each row gets .bucket_index."""
    order = buckets if forward else list(reversed(buckets))
    if cursor is not None:
        order = [
            (index, bucket)
            for index, bucket in order
            if (index >= cursor.bucket if forward else index <= cursor.bucket)
        ]
    rows = []
    for index, bucket in order:
        rows_here = findings.filter(**bucket)
        if cursor is not None and index == cursor.bucket:
            rows_here = rows_here.filter(beyond(sort, cursor.values, forward))
        for row in rows_here.order_by(*sort.ordering(forward))[: size + 1 - len(rows)]:
            row.bucket_index = index
            rows.append(row)
        if len(rows) > size:
            break
    return rows


def page_of(findings, sort_key, fixed, after=None, before=None, size=None):
    """One page of `findings` in `sort_key` order, after or before a cursor token. Bad tokens mean page one."""
    size = size or PAGE_SIZE
    sort = SORTS[sort_key]
    buckets = buckets_for(sort, fixed)
    if before and (cursor := decode(before, sort)):
        rows = walk(findings, sort, buckets, cursor, False, size)
        if len(rows) > size:  # more before these: a full page in the middle
            rows = list(reversed(rows[:size]))
            return Page(rows, encode(rows[-1], sort), encode(rows[0], sort), is_first=False)
        # Reached the start: show page one in full rather than a short first page.
    cursor = decode(after, sort) if after else None
    rows = walk(findings, sort, buckets, cursor, True, size)
    next_cursor = encode(rows[size - 1], sort) if len(rows) > size else None
    rows = rows[:size]
    previous_cursor = encode(rows[0], sort) if cursor and rows else None
    return Page(rows, next_cursor, previous_cursor, is_first=cursor is None)
