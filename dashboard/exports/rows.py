"""The rows every export shares: one flat record per finding, in a stable column order.

Rows are read as plain tuples (values_list), never as model instances, and every value is final when it
leaves the database: timestamps as ISO text, no NULLs, muted decided by the one mute rule
(checks.models.active_at, which Suppression.is_active and FindingQuerySet.muted share). For the big
files the database goes further and writes each CSV record (CsvLine) or JSON object (JsonObject,
PostgreSQL) itself, account by account, so a million-row export costs Python one string per row.
Tests hold each of those to the bytes the Python writers produce.
"""

import json
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import NotSupportedError, connection, connections
from django.db.models import BooleanField, Case, CharField, Exists, F, Func, OuterRef, Value, When
from django.db.models.functions import Coalesce, Concat, Left, NullIf
from django.db.models.lookups import In
from django.http import QueryDict
from django.utils import timezone

from checks import history
from checks.models import Finding, Suppression
from dashboard.exports.json import encode
from dashboard.forms import FindingFilters

COLUMNS = [
    "account_id",
    "account_name",
    "region",
    "check_id",
    "area",
    "severity",
    "status",
    "muted",
    "resource_uid",
    "resource_type",
    "resource_name",
    "key_owner",
    "kms_key_arn",
    "reason",
    "first_seen",
    "last_seen",
    "status_since",
    "scan_id",
]


def scoped_findings(accounts=None, as_of=None, areas=None, severities=None, join_latest=False):
    """accounts: 12-digit ids, None for every account (an empty list is none)."""
    findings = Finding.objects.all()
    if accounts is not None:
        findings = findings.filter(account__account_id__in=accounts)
    if areas:
        findings = findings.filter(area__in=areas)
    if severities:
        findings = findings.filter(severity__in=severities)
    rows = history.findings_as_of(as_of, findings, join_latest) if as_of else history.current_findings(findings)
    return in_file_order(rows)


def page_findings(query, accounts=None):
    """The findings the Findings page lists for `query` (its filter query string), as they stand now: the
    page's own FindingFilters decide, so an export and the table cannot disagree. accounts: the 12-digit ids
    the person may see (None: every account)."""
    findings = Finding.objects.all()
    if accounts is not None:
        findings = findings.filter(account__account_id__in=accounts)
    filters = FindingFilters(QueryDict(query))
    filters.is_valid()  # as on the page: an invalid filter is dropped, never a 500
    return in_file_order(history.as_they_stand(filters.apply(findings)))


def in_file_order(rows):
    return rows.select_related("account", "resource", "suppression").order_by(
        "account__account_id", "check_id", "resource__uid"
    )


class IsoText(Func):
    """A timestamp as the text Python's datetime.isoformat() gives for it in UTC
    ("2026-06-30T12:00:00+00:00", with ".ffffff" only when there are microseconds), written by the
    database: parsing a million timestamps in Python and formatting them again was half the cost of an
    export. SQLite already stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC (str() of the
    datetime), so the same text is a replace and a suffix there."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(replace({sql}, ' ', 'T') || '+00:00')", params

    def as_postgresql(self, compiler, connection, **extra):
        # timestamp (without zone) as text under DateStyle ISO (set on every connection in settings) is
        # "YYYY-MM-DD HH:MM:SS[.ffffff]", fraction only when non-zero: Python's str() of the datetime.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(replace(CAST((({sql}) AT TIME ZONE 'UTC') AS TEXT), ' ', 'T') || '+00:00')", params


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Columns that hold text from AWS or from people (names, ARNs, regions, reasons): a CSV neutralises them.
# The others are produced by Posture itself (catalog ids, enums, validated account ids, timestamps, numbers).
FREE_TEXT = frozenset({"account_name", "region", "resource_uid", "resource_name", "kms_key_arn", "reason"})


def neutralised(expression):
    """The database's version of csv.neutralise: text a spreadsheet will not run as a formula."""
    return Case(
        When(
            In(Left(expression, 1), list(FORMULA_STARTS)), then=Concat(Value("'"), expression, output_field=CharField())
        ),
        default=expression,
        output_field=CharField(),
    )


def row_expressions(at, for_csv=False, account=None):
    """What the database returns for each export column (in COLUMNS order), final values: no NULLs,
    timestamps as ISO text, and for a CSV, free text neutralised and muted as "true"/"false"."""
    # For one account its id and name are constants, and a mute is looked up by primary key only for
    # findings that have one: after the as-of event join PostgreSQL estimates a single row and joined
    # the accounts and mutes tables by scanning them whole once per finding.
    active = Suppression.objects.active(at).filter(pk=OuterRef("suppression_id"))
    yes, no = (Value("true"), Value("false")) if for_csv else (Value(True), Value(False))
    expressions = {
        "account_id": Value(account.account_id) if account else F("account__account_id"),
        "account_name": Value(account.name) if account else F("account__name"),
        "region": F("region"),
        "check_id": F("check_id"),
        "area": F("area"),
        "severity": F("severity"),
        "status": F("status_then"),
        "muted": Case(
            When(suppression__isnull=True, then=no),
            When(Exists(active), then=yes),
            default=no,
            output_field=CharField() if for_csv else BooleanField(),
        ),
        "resource_uid": F("resource__uid"),
        "resource_type": F("resource_type"),
        "resource_name": F("resource__name"),
        # The finding's own key owner when it has one, else its resource's.
        "key_owner": Coalesce(
            NullIf(F("key_owner"), Value("")), F("resource__key_owner"), Value(""), output_field=CharField()
        ),
        "kms_key_arn": F("resource__kms_key_arn"),
        "reason": Coalesce(F("reason_then"), Value(""), output_field=CharField()),
        "first_seen": Coalesce(IsoText(F("first_seen")), Value("")),
        "last_seen": Coalesce(IsoText(F("last_seen")), Value("")),
        "status_since": Coalesce(IsoText(F("since_then")), Value("")),
        "scan_id": F("scan_then"),
    }
    if for_csv:
        expressions.update({column: neutralised(expressions[column]) for column in FREE_TEXT})
    return expressions


class CsvLine(Func):
    """One whole CSV record, written by the database: every field quoted ("" doubled), fields joined by
    commas, NULL as an empty field — exactly what csv.writer(quoting=QUOTE_ALL) writes for the same row
    (csv.lines), without a Python object per field. Portable SQL: CAST, COALESCE, REPLACE and ||."""

    output_field = CharField()

    def __init__(self, *expressions, free_text=()):
        super().__init__(*expressions)
        self.free_text = frozenset(free_text)  # positions whose text may hold a double quote

    def as_sql(self, compiler, connection, **extra):
        fields, params = [], []
        for position, expression in enumerate(self.source_expressions):
            sql, field_params = compiler.compile(expression)
            text = f"COALESCE(CAST(({sql}) AS TEXT), '')"
            if position in self.free_text:
                text = f"REPLACE({text}, '\"', '\"\"')"
            fields.append(f"'\"' || {text} || '\"'")
            params.extend(field_params)
        return "(" + " || ',' || ".join(fields) + ")", params


def read_values(findings, at, accounts, chunk_size, select, for_csv=False):
    """Stream what `select(row_expressions)` annotates — one value (flat) or several (tuples) per finding —
    for all `findings` or account by account (see stream)."""
    at = at or timezone.now()

    def query(account=None):
        annotations = select(row_expressions(at, for_csv, account))
        return (
            of_account(findings, account).annotate(**annotations).values_list(*annotations, flat=len(annotations) == 1)
        )

    return stream(query, accounts, chunk_size)


FREE_TEXT_POSITIONS = [index for index, column in enumerate(COLUMNS) if column in FREE_TEXT]


def iter_csv_records(findings, at=None, accounts=None, chunk_size=5000):
    """The CSV records (without line ends) of `findings`, written by the database (see CsvLine)."""

    def record(expressions):
        return {"export_csv_record": CsvLine(*(expressions[c] for c in COLUMNS), free_text=FREE_TEXT_POSITIONS)}

    return read_values(findings, at, accounts, chunk_size, record, for_csv=True)


def of_account(findings, account):
    """`findings` ready for export: all of them (account None) or one account's, in file order."""
    findings = findings.select_related(None)
    if account is None:
        return findings
    # A finding's resource is always its own account's: saying so lets the database read one account's
    # resources by index instead of hashing every resource of the estate for each account. Within one
    # account the order needs no join to the accounts table.
    return findings.filter(account_id=account.pk, resource__account_id=account.pk).order_by("check_id", "resource__uid")


def stream(query, accounts, chunk_size):
    """The values of query() (all findings) or of query(account) for each of `accounts` in order (AwsAccount
    rows with pk, account_id and name: one query per account, see iter_tuples).

    On PostgreSQL, outside a transaction, settings.EXPORT_DB_WORKERS threads (each with its own
    connection) read the next accounts while this thread writes: a big export is bound by the
    database's work per row, and this spreads it over the machine's cores. Inside a transaction
    (atomic blocks, most tests) other connections could not see its uncommitted rows, so it reads
    them here, one account after another."""
    if accounts is None:
        yield from query().iterator(chunk_size=chunk_size)
        return
    parts = (query(account) for account in accounts)
    workers = settings.EXPORT_DB_WORKERS
    if workers < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for part in parts:
            yield from part.iterator(chunk_size=chunk_size)
        return
    yield from read_ahead(parts, workers)


def read_ahead(parts, workers):
    """Each query's rows, in order, read by `workers` threads at most 2 × workers queries ahead."""
    barrier = threading.Barrier(workers)

    def close_connection():
        # Exactly one of these runs on each thread (the barrier holds each until all have one).
        try:
            barrier.wait(timeout=30)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export-read") as pool:
        try:
            pending = deque()
            for part in parts:
                pending.append(pool.submit(list, part))
                if len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            for _ in range(workers):
                pool.submit(close_connection)


JSON_CASTS = {"CharField": "::text", "TextField": "::text", "BooleanField": "::boolean"}


class JsonObject(Func):
    """One finding as the JSON object text Python's encoder writes for its row dict (json.encode: keys in
    COLUMNS order, ": " and ", " separators, non-ASCII kept, control characters escaped), composed by
    PostgreSQL with to_json — whose string escaping is the same — so a million-row JSON export needs no
    Python dict per row. PostgreSQL only: elsewhere iter_json_objects encodes in Python."""

    output_field = CharField()

    def __init__(self, *expressions, names):
        super().__init__(*expressions)
        self.names = list(names)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("JsonObject is composed by PostgreSQL only")

    def as_postgresql(self, compiler, connection, **extra):
        parts, params = [], []
        for index, (name, expression) in enumerate(zip(self.names, self.source_expressions, strict=True)):
            sql, field_params = compiler.compile(expression)
            # A typed value for to_json: a plain parameter (an account's name) has no type of its own.
            cast = JSON_CASTS.get(expression.output_field.get_internal_type(), "")
            key = ("{" if index == 0 else ", ") + json.dumps(name) + ": "
            parts.append(f"'{key}' || COALESCE(to_json(({sql}){cast})::text, 'null')")
            params.extend(field_params)
        return "(" + " || ".join(parts) + " || '}')", params


def iter_json_objects(findings, at=None, accounts=None, chunk_size=5000):
    """The JSON object text of each row (see JsonObject), from the database on PostgreSQL."""
    if connection.vendor != "postgresql":
        return map(encode, iter_rows(findings, at, accounts, chunk_size))

    def json_object(expressions):
        return {"export_json_object": JsonObject(*(expressions[c] for c in COLUMNS), names=COLUMNS)}

    return read_values(findings, at, accounts, chunk_size, json_object)


def iter_tuples(findings, at=None, accounts=None, chunk_size=5000):
    """The export rows of `findings` (annotated by history.findings_as_of or current_findings) as tuples in
    COLUMNS order, final values computed by the database, streamed from a server-side cursor.

    With `accounts` (AwsAccount rows, in the order the file lists them) the rows are read one account
    at a time: each account's rows are sorted on their own (small, in memory) instead of a million rows
    sorted on disk before the first one arrives. Without, one query (a filtered page's worth of rows)."""

    def columns(expressions):
        return {f"export_{column}": expressions[column] for column in COLUMNS}

    return read_values(findings, at, accounts, chunk_size, columns)


def iter_rows(findings, at=None, accounts=None, chunk_size=5000):
    """The export rows of `findings` as dicts keyed by COLUMNS (what the JSON export writes)."""
    for values in iter_tuples(findings, at, accounts, chunk_size):
        yield dict(zip(COLUMNS, values, strict=True))
