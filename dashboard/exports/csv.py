"""CSV export: UTF-8 with a BOM for Excel, every field quoted, formula-injection safe, streamed row by row.

Reports write records the database composed (rows.iter_csv_records: a million rows without a Python
object per field); lines() writes the same bytes from rows in Python, for anything else."""

import csv
from operator import itemgetter

from dashboard.exports.rows import COLUMNS, FORMULA_STARTS, FREE_TEXT

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
    """Yield the CSV text line by line (for streaming responses). `rows` are dicts keyed by `columns`, or
    sequences in `columns` order (rows.iter_tuples: no dict per row for a million-row file)."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL)  # every field quoted, like rows.CsvLine
    yield BOM + header(columns) + "\r\n"
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    # Free text, and any column this module does not know, is checked; what Posture produces is not.
    checked = [index for index, column in enumerate(columns) if column in FREE_TEXT or column not in COLUMNS]
    flags = [index for index, column in enumerate(columns) if column == "muted"]
    for row in rows:
        cells = list(pick(row) if row.__class__ is dict else row)
        for index in checked:
            value = cells[index]
            if value.__class__ is not str or value.startswith(FORMULA_STARTS):
                cells[index] = neutralise(value)
        for index in flags:
            cells[index] = "true" if cells[index] else "false"
        yield writer.writerow(cells)


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
