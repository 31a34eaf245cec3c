"""The overview's score grid rows, written in Python.

The grid is 50 rows × 7 score cells with a sparkline each: through the template engine that was ~22,000
nodes a request (most of the page's time at 2,000 accounts). The same markup is written here with
charts.markup (format_html's escaping), so every value from AWS (account names, errors) is escaped exactly
as the template escaped it; a test holds this output to what the old template loop wrote, byte for byte.
"""

from django.urls import reverse
from django.utils.text import Truncator

from dashboard.charts import join_safe, markup, sparkline
from dashboard.templatetags.posture import ago, pk_urls, scan_badge, score_cell

# The template loop's body, whitespace included, with {} where it had tags and variables.
ROW = (
    '\n      <tr class="{}">\n'
    '        <td class="account-cell">\n'
    '          <a href="{}">{}</a>\n'
    '          <div class="muted small mono">{}</div>\n'
    "          {}\n"
    "        </td>\n"
    "        {}\n"
    "        <td>{}</td>\n"
    '        <td class="num">\n'
    '          <a href="{}?account={}&amp;status=FAIL&amp;severity=critical">{}</a> /\n'
    '          <a href="{}?account={}&amp;status=FAIL&amp;severity=high">{}</a>\n'
    "        </td>\n"
    "        <td>{}</td>\n"
    "      </tr>\n    "
)
CELL = '<td class="num" data-area="{}">{}{}</td>'
SPARKLINE_WIDTH = 90


def rows_html(rows):
    """Each row of grid_rows as one escaped <tr> (with the whitespace the template wrote around it)."""
    account_url, findings = pk_urls("dashboard:account"), reverse("dashboard:findings")
    return [row_html(row, account_url, findings) for row in rows]


def row_html(row, account_url, findings):
    account = row["account"]
    return markup(
        ROW,
        "stands-out" if row["stands_out"] else "",
        account_url(account.pk),
        account.name,
        account.account_id,
        connection_error(account),
        join_safe([cell_html(cell) for cell in row["cells"]]),
        sparkline(row["spark"], width=SPARKLINE_WIDTH),
        findings,
        account.account_id,
        row["failures"]["critical"],
        findings,
        account.account_id,
        row["failures"]["high"],
        last_scan(account),
    )


def cell_html(cell):
    errors = markup('<div class="small muted">{} unverified</div>', cell["errors"]) if cell["errors"] else ""
    return markup(CELL, cell["area"], score_cell(cell["score"], cell["delta"]), errors)


def connection_error(account):
    if account.connection_status != "error":
        return ""
    # As the truncatechars filter: the text of the value, cut to 70 characters, then escaped.
    reason = Truncator(str(account.last_error)).chars(70)
    return markup('<div class="error small">Cannot connect: {}</div>', reason)


def last_scan(account):
    if not account.last_scan_status:
        return markup('<span class="muted">{}</span>', "Never scanned")
    return markup(
        '{} <span class="small muted nowrap">{}</span>', scan_badge(account.last_scan_status), ago(account.last_scan_at)
    )
