"""Each export format: CSV (BOM, formula injection), JSON (the documented schema), XLSX (three sheets that
openpyxl opens), PDF (rendered, read back with poppler's pdftotext/pdfinfo)."""

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from checks.catalog import CATALOG
from checks.catalog.base import Area, Status
from checks.models import Finding
from dashboard.exports import csv as csv_export
from dashboard.exports import json as json_export
from dashboard.exports import pdf, xlsx
from dashboard.exports.rows import COLUMNS, iter_rows
from dashboard.exports.scope import Scope, parse_as_of
from dashboard.tests.factories import AwsAccountFactory, FindingEventFactory, FindingFactory, ResourceFactory
from dashboard.tests.report_estate import seed_estate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def hostile(now):
    """Findings whose AWS-supplied text starts with every character a spreadsheet treats as a formula."""
    findings = []
    for text in INJECTIONS:
        finding = FindingFactory(
            resource=ResourceFactory(name=text, first_seen=now - timedelta(days=3)),
            reason=text,
            first_seen=now - timedelta(days=3),
        )
        FindingEventFactory(finding=finding, at=now - timedelta(days=3), reason=text)
        findings.append(finding)
    return findings


def csv_rows(scope):
    """The CSV a report writes: rows the database made final and safe (rows.iter_csv_records)."""
    out = io.StringIO()
    csv_export.write_records(scope.csv_rows(), out)
    return out.getvalue()


def test_database_and_python_neutralisation_write_the_same_csv(hostile, now):
    """The database writes a report's CSV records; csv.lines writes rows in Python. Same bytes, whatever
    the text holds: quotes, commas, line breaks, formula starts, non-ASCII, nothing at all."""
    for text in ['say "hi", then\r\nleave', "tab\tinside", "Zürich ✓ 名前", '"', ",", ""]:
        resource = ResourceFactory(name=text or "x", kms_key_arn=text, first_seen=now - timedelta(days=1))
        finding = FindingFactory(resource=resource, reason=text, first_seen=now - timedelta(days=1))
        FindingEventFactory(finding=finding, at=now - timedelta(days=1), reason=text)
    by_python = io.StringIO()
    csv_export.write(Scope().rows(), by_python)

    assert csv_rows(Scope()) == by_python.getvalue()
    assert "".join(csv_export.record_lines(Scope().csv_rows())) == by_python.getvalue()


def test_csv_starts_with_a_bom_and_neutralises_every_formula_start(hostile):
    text = csv_rows(Scope())

    assert text.startswith("\ufeff" + ",".join(COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert sorted(row["resource_name"] for row in rows) == sorted("'" + value for value in INJECTIONS)
    assert all(row["reason"].startswith("'") for row in rows)


def test_csv_as_of_a_past_date_uses_the_history(hostile, now):
    assert len(list(csv.DictReader(io.StringIO(csv_rows(Scope(as_of=parse_as_of("2026-11-18")))[1:])))) == 6
    assert list(csv.DictReader(io.StringIO(csv_rows(Scope(as_of=parse_as_of("2026-11-16")))[1:]))) == []


def test_csv_neutralises_people_and_aws_text_in_every_free_text_column(now):
    """Only columns Posture produces itself skip the formula check; names, ARNs, regions and reasons do not."""
    resource = ResourceFactory(
        account=AwsAccountFactory(name="=cmd|' /C calc'!A0"),
        name="-1+1",
        region="@us",
        uid="+arn",
        kms_key_arn="=key",
        first_seen=now - timedelta(days=1),
    )
    finding = FindingFactory(resource=resource, reason="@reason", first_seen=now - timedelta(days=1))
    FindingEventFactory(finding=finding, at=now - timedelta(days=1), reason="@reason")

    [row] = list(csv.DictReader(io.StringIO(csv_rows(Scope())[1:])))

    for column in ("account_name", "resource_name", "region", "resource_uid", "kms_key_arn", "reason"):
        assert row[column].startswith("'"), column
    assert row["muted"] == "false"
    assert row["first_seen"] == finding.first_seen.isoformat()


@pytest.mark.parametrize("microseconds", [0, 250_001])
def test_exported_timestamps_are_python_iso_text_on_every_database(now, microseconds):
    """The database formats timestamps on PostgreSQL (see rows.IsoText); the text must be exactly what
    datetime.isoformat() gives, with and without microseconds, today and as of a past date."""
    seen = (now - timedelta(days=2)).replace(microsecond=microseconds)
    finding = FindingFactory(
        first_seen=seen, last_seen=seen, status_since=seen, resource=ResourceFactory(first_seen=seen)
    )
    FindingEventFactory(finding=finding, at=seen, reason=finding.reason)

    [today] = list(Scope().rows())
    [then] = list(Scope(as_of=parse_as_of("2026-11-19")).rows())

    assert today["first_seen"] == today["last_seen"] == today["status_since"] == seen.isoformat()
    assert then["status_since"] == then["first_seen"] == seen.isoformat()
    assert ("." in seen.isoformat()) is bool(microseconds)


def test_database_json_objects_are_the_python_encoders_text(hostile, now):
    """A report's JSON objects are composed by PostgreSQL (rows.JsonObject); they must be, byte for byte,
    what Python's encoder writes for the same rows: escapes, non-ASCII, numbers, booleans, nulls."""
    for text in ['quote " and \\ backslash', "ctrl \x01\x1f\b\f\n\r\t end", "Zürich ✓ 名前 \u2028 \x7f", "</script>"]:
        resource = ResourceFactory(name=text, kms_key_arn=text, first_seen=now - timedelta(days=1))
        finding = FindingFactory(resource=resource, reason=text, first_seen=now - timedelta(days=1), last_scan=None)
        FindingEventFactory(finding=finding, at=now - timedelta(days=1), reason=text)
    by_python, by_database = io.StringIO(), io.StringIO()
    json_export.write(Scope().rows(), by_python)
    json_export.write_objects(Scope().json_objects(), by_database)

    assert by_database.getvalue() == by_python.getvalue()
    assert len(json.loads(by_database.getvalue())) == 10
    assert "".join(json_export.object_chunks(Scope().json_objects(per_account=False))) == by_python.getvalue()


def test_json_rows_have_every_documented_field(hostile):
    out = io.StringIO()
    json_export.write(iter_rows(Scope().findings()), out)
    rows = json.loads(out.getvalue())

    assert len(rows) == 6
    assert all(list(row) == COLUMNS for row in rows)
    assert {row["resource_name"] for row in rows} == set(INJECTIONS)  # JSON is data, not a spreadsheet
    assert all(row["muted"] is False and row["status"] == Status.FAIL for row in rows)


def test_xlsx_has_findings_summary_and_checks_sheets(hostile, tmp_path):
    path = tmp_path / "findings.xlsx"
    count = xlsx.write(Scope(), path, generated_by="alice")

    book = load_workbook(path)
    assert book.sheetnames == ["Findings", "Summary", "Checks", "Compliance"]
    findings = book["Findings"]
    assert count == 6
    assert findings.max_row == 7
    assert [cell.value for cell in findings[1]] == COLUMNS
    assert findings.freeze_panes == "A2"
    assert findings.auto_filter.ref == f"A1:R{findings.max_row}"
    names = [row[COLUMNS.index("resource_name")] for row in findings.iter_rows(min_row=2, values_only=True)]
    # XML reads a stored carriage return back as a line feed; what matters is the leading quote.
    assert sorted(names) == sorted("'" + value.replace("\r", "\n") for value in INJECTIONS)
    assert all(
        cell.data_type == "s" for row in findings.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)
    )
    checks = book["Checks"]
    assert checks.max_row == len(CATALOG) + 1
    assert {row[0] for row in checks.iter_rows(min_row=2, values_only=True)} == set(CATALOG)
    assert book.properties.creator == "alice"


def test_xlsx_summary_holds_scores_per_account_and_area_as_of_the_date(now, tmp_path):
    [account] = seed_estate(now, accounts=1, resources=1)
    path = tmp_path / "report.xlsx"
    xlsx.write(Scope(as_of=parse_as_of("2026-11-05")), path)

    summary = load_workbook(path)["Summary"]
    header = [cell.value for cell in summary[1]]
    assert header[:3] == ["account_id", "account_name", Area.AT_REST.label]
    [row] = list(summary.iter_rows(min_row=2, values_only=True))
    expected = account.scores.filter(at__lte=parse_as_of("2026-11-05"), area=Area.AT_REST).latest("at")
    assert row[0] == account.account_id
    assert row[2] == expected.score
    assert row[-1] == expected.at.isoformat()


def test_xlsx_strips_characters_a_workbook_cannot_hold(now, tmp_path):
    # (A NUL byte cannot reach PostgreSQL text at all, so the reason carries another illegal character.)
    finding = FindingFactory(resource=ResourceFactory(name="bell\x07name"), reason="vertical\x0btab")
    path = tmp_path / "f.xlsx"
    xlsx.write(Scope(), path)
    row = next(load_workbook(path)["Findings"].iter_rows(min_row=2, values_only=True))
    assert row[COLUMNS.index("resource_name")] == "bellname"
    assert finding.pk


# --- PDF --------------------------------------------------------------------------------------------------


def pdf_text(path, *args):
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


@pytest.fixture
def poppler():
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed (apt-get install -y poppler-utils); .ci/run installs it")


@pytest.fixture
def estate(now):
    accounts = seed_estate(now, accounts=3, resources=3, names={0: "payments <b>prod</b>"})
    bucket = Finding.objects.filter(account=accounts[0], check_id="s3.bucket_default_encryption").first()
    bucket.resource.name = "customer-records-archive"
    bucket.resource.save()
    bucket.events.update(new_status=Status.FAIL, reason="Bucket customer-records-archive has no default encryption.")
    return accounts


def test_pdf_renders_with_pages_the_as_of_date_on_each_and_a_known_finding(estate, poppler, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(Scope(as_of=parse_as_of("2026-11-10")), "alice (auditor)"))

    pages = pdf_pages(path)
    text = pdf_text(path)
    assert pages > 1
    assert text.count("As of 10 November 2026") >= pages  # on the cover and in every page's header
    assert all("As of 10 November 2026" in page for page in text.split("\f") if page.strip())
    assert f"Page {pages} of {pages}" in text
    assert "customer-records-archive" in text
    assert "Bucket customer-records-archive has no default encryption." in " ".join(text.split())
    assert "alice (auditor)" in text
    assert "payments <b>prod</b>" in text  # escaped in the HTML, so printed as text
    for heading in (
        "Executive summary",
        "Scores by account",
        "Key ownership",
        "Failing findings by severity",
        "Muted findings",
        "Methodology",
        "Appendix: check catalog",
    ):
        assert heading in text


def test_pdf_lists_muted_findings_with_justification_and_expiry(estate, poppler, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(Scope(), "bob"))
    text = " ".join(pdf_text(path).split())
    assert "Access logs go to the central data lake through CloudTrail data events instead." in text
    assert "expires 2027-01-19" in text


def test_pdf_caps_long_sections_and_points_at_findings_csv(now, poppler, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "PER_CHECK_ROWS", 2)
    seed_estate(now, accounts=1, resources=8, fail_rate=1.0)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(Scope(), "bob"))
    assert "more, see findings.csv" in pdf_text(path)


def test_pdf_report_reads_the_database_a_fixed_number_of_times(now, django_assert_max_num_queries):
    seed_estate(now, accounts=6, resources=3)
    with django_assert_max_num_queries(10):
        html = pdf.render_html(Scope(), "bob")
    assert html.count('class="account"') == 6


def test_pdf_charts_only_the_lowest_scoring_accounts_and_sparklines_the_rest(now, monkeypatch):
    monkeypatch.setattr(pdf, "DETAIL_ACCOUNTS", 2)
    seed_estate(now, accounts=5, resources=1)
    context = pdf.report_context(Scope(), "bob")
    overall = sorted(section["overall"] for section in context["accounts"])
    assert [section["overall"] for section in context["detail_accounts"]] == overall[:2]
    assert context["other_accounts"] == 3
    html = pdf.render_html(Scope(), "bob")
    assert html.count('class="account"') == 2
    assert html.count('class="sparkline"') == 5
    assert "The trends of the other 3 accounts are the sparklines" in html


def test_pdf_summary_counts_add_up(now):
    seed_estate(now, accounts=2, resources=2)
    context = pdf.report_context(Scope(), "bob")
    assert sum(context["statuses"].values()) == context["finding_count"] == Finding.objects.count()
    assert context["failing_count"] + context["muted_failing"] == context["statuses"]["FAIL"]
    assert context["muted_count"] == Finding.objects.filter(suppression__isnull=False).count() > 0
    assert sum(count for _, count in context["severity_counts"]) == context["failing_count"]
