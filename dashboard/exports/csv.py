"""CSV export: UTF-8 with a BOM for Excel, every field quoted, formula-injection safe, streamed row by row.

Reports write records the database composed (rows.iter_csv_records: a million rows without a Python
object per field); lines() writes the same bytes from rows in Python, for anything else."""

import csv

from dashboard.exports.rows import COLUMNS, FORMULA_STARTS

BOM = "\ufeff"


def neutralise(value):
    """Text a spreadsheet will not run as a formula (OWASP: prefix a quote)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    def write(self, value):
        return value


def lines(rows, columns=COLUMNS):
    """The CSV text line by line, written in Python from dicts keyed by `columns`: the same bytes the
    database writes for report files (rows.iter_csv_records), for rows that come from anywhere else."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL)
    yield BOM + header(columns) + "\r\n"
    for row in rows:
        yield writer.writerow([neutralise(row.get(column)) for column in columns])


def write(rows, out, columns=COLUMNS):
    count = -1
    for count, line in enumerate(lines(rows, columns)):  # noqa: B007 - count is the result
        out.write(line)
    return max(count, 0)


def header(columns=COLUMNS):
    """The header line's text: plain column names (they never need quoting)."""
    return ",".join(columns)


def record_lines(records):
    """The CSV text line by line from records the database wrote (rows.iter_csv_records): the same bytes
    lines() writes for the same rows."""
    yield BOM + header() + "\r\n"
    for record in records:
        yield record + "\r\n"


def write_records(records, out):
    """Write database-written records (rows.iter_csv_records) to the text stream `out`; returns the count."""
    out.write(BOM + header() + "\r\n")
    count = 0
    for count, record in enumerate(records, start=1):  # noqa: B007 - count is the result
        out.write(record)
        out.write("\r\n")
    return count
