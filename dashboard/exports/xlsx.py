"""XLSX export (openpyxl write-only, so rows stream to disk): Findings, Summary, Checks and Compliance sheets."""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from checks.catalog import CATALOG
from checks.catalog.base import Area
from dashboard import compliance, scoreboard
from dashboard.exports.csv import neutralise
from dashboard.exports.rows import COLUMNS

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="312E81")
WIDTHS = {
    "account_name": 24,
    "check_id": 36,
    "resource_uid": 48,
    "resource_name": 28,
    "reason": 60,
    "kms_key_arn": 40,
    "first_seen": 26,
    "last_seen": 26,
    "status_since": 26,
}
CHECK_COLUMNS = ["id", "title", "area", "severity", "resource_type", "needs", "rationale", "remediation"]


def text_cell(sheet, value):
    """A cell holding `value` as inert text: formula-neutralised like the CSV, and stripped of the control
    characters XLSX cannot hold (AWS names and tags can contain anything)."""
    if isinstance(value, bool | int | float) or value is None:
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    cell.data_type = "s"  # never "f": even a value that slipped past neutralise stays text
    return cell


def header(sheet, names):
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    sheet.append(cells)


def set_widths(sheet, names, widths, default=14):
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, default)


def findings_sheet(book, scope, progress):
    sheet = book.create_sheet("Findings")
    set_widths(sheet, COLUMNS, WIDTHS)
    sheet.freeze_panes = "A2"  # write-only sheets take these before the first row
    header(sheet, COLUMNS)
    count = 0
    for count, row in enumerate(scope.rows(), start=1):
        sheet.append([text_cell(sheet, row[column]) for column in COLUMNS])
        if count % 5000 == 0:
            progress("writing findings", count)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    return count


def summary_sheet(book, scope):
    """Scores per account × area as of the date: the last scored scan at or before it."""
    sheet = book.create_sheet("Summary")
    areas = [Area(area) for area in scope.areas] or list(Area)
    names = ["account_id", "account_name", *[area.label for area in areas], "overall", "scored_at"]
    set_widths(sheet, names, {"account_name": 28, "scored_at": 26}, default=16)
    sheet.freeze_panes = "C2"
    header(sheet, names)
    accounts = list(scope.account_rows())
    scores = scoreboard.latest_scores([account.pk for account in accounts], scope.at)
    for account in accounts:
        by_area = scores.get(account.pk, {})
        values = [by_area[area].score if area in by_area else None for area in areas]
        scored_at = max((row.at for row in by_area.values()), default=None)
        sheet.append(
            [
                text_cell(sheet, account.account_id),
                text_cell(sheet, account.name),
                *values,
                scoreboard.overall(values),
                text_cell(sheet, scored_at.isoformat() if scored_at else ""),
            ]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{len(accounts) + 1}"


def checks_sheet(book):
    sheet = book.create_sheet("Checks")
    set_widths(sheet, CHECK_COLUMNS, {"id": 38, "title": 48, "rationale": 80, "remediation": 80, "needs": 40})
    sheet.freeze_panes = "A2"
    header(sheet, CHECK_COLUMNS)
    for check_id in sorted(CATALOG):
        entry = CATALOG[check_id].as_dict()
        entry["needs"] = ", ".join(entry["needs"])
        entry["resource_type"] = (
            ", ".join(entry["resource_type"]) if isinstance(entry["resource_type"], tuple) else entry["resource_type"]
        )
        sheet.append([text_cell(sheet, entry[column]) for column in CHECK_COLUMNS])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(CHECK_COLUMNS))}{len(CATALOG) + 1}"


def compliance_sheet(book, scope):
    """Each requirement of the framework(s) in scope: its status overall and in each account as of the date."""
    sheet = book.create_sheet("Compliance")
    reports = compliance.report(scope)
    accounts = [account["account_id"] for account in reports[0]["accounts"]] if reports else []
    names = ["framework", "requirement", "title", "status", "checks", *accounts]
    set_widths(sheet, names, {"framework": 30, "title": 60, "checks": 48}, default=16)
    sheet.freeze_panes = "D2"
    header(sheet, names)
    rows = [(each["name"], requirement) for each in reports for requirement in each["requirements"]]
    for name, requirement in rows:
        values = [name, requirement["id"], requirement["title"], requirement["status"]]
        values += [", ".join(requirement["checks"])] + [requirement["accounts"][a] for a in accounts]
        sheet.append([text_cell(sheet, value) for value in values])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{len(rows) + 1}"


def write(scope, path, generated_by="", progress=None):
    """Write the workbook of `scope` to `path`; returns the number of findings."""
    progress = progress or (lambda *args, **kwargs: None)
    book = Workbook(write_only=True)
    book.properties.title = f"Posture findings as of {scope.at:%Y-%m-%d %H:%M} UTC"
    book.properties.creator = generated_by or "Posture"
    book.properties.description = "; ".join(f"{label}: {value}" for label, value in scope.sentences())
    count = findings_sheet(book, scope, progress)
    summary_sheet(book, scope)
    checks_sheet(book)
    compliance_sheet(book, scope)
    book.save(path)
    return count
