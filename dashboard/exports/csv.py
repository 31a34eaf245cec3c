"""CSV export: UTF-8 with a BOM for Excel, formula-injection safe, streamed row by row."""

import csv

from dashboard.exports.rows import COLUMNS

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """Yield the CSV text line by line (for streaming responses)."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(columns)
    for row in rows:
        yield writer.writerow([neutralise(row.get(column)) for column in columns])


def write(rows, out, columns=COLUMNS):
    count = -1
    for count, line in enumerate(lines(rows, columns)):  # noqa: B007 - count is the result
        out.write(line)
    return max(count, 0)
