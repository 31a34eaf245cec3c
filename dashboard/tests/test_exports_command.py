"""manage.py export: every format, the scope flags, date refusals, and the audit entry it leaves."""

import csv
import io
import json
import logging
import logging.config
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from checks.catalog.base import Area, Severity
from dashboard.models import AuditEntry
from dashboard.tests.factories import FindingFactory, ResourceFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def findings(time_machine):
    time_machine.move_to(NOW, tick=False)
    high = FindingFactory(severity=Severity.HIGH, area=Area.AT_REST, resource=ResourceFactory(name="high-bucket"))
    low = FindingFactory(
        severity=Severity.LOW,
        area=Area.LOGGING,
        check_id="s3.bucket_server_access_logging",
        resource=ResourceFactory(name="low-bucket", account=high.account),
    )
    other = FindingFactory(resource=ResourceFactory(name="other-account-bucket"))
    muted = FindingFactory(resource=ResourceFactory(name="muted-bucket", account=high.account))
    muted.suppression = SuppressionFactory(account=high.account)
    muted.save()
    return {"high": high, "low": low, "other": other, "muted": muted}


def export(tmp_path, *args, name="out"):
    path = tmp_path / name
    out = io.StringIO()
    call_command("export", *args, "-o", str(path), stdout=out)
    return path, out.getvalue()


def csv_names(path):
    return sorted(row["resource_name"] for row in csv.DictReader(io.StringIO(path.read_text()[1:])))


def test_csv_of_everything(findings, tmp_path):
    path, out = export(tmp_path, "--format", "csv")
    assert csv_names(path) == ["high-bucket", "low-bucket", "muted-bucket", "other-account-bucket"]
    assert out.strip() == f"Wrote 4 findings to {path}."


def test_scope_flags_filter_accounts_areas_severities_and_mutes(findings, tmp_path):
    account = findings["high"].account.account_id
    path, _ = export(tmp_path, "--format", "csv", "--account", account)
    assert csv_names(path) == ["high-bucket", "low-bucket", "muted-bucket"]
    path, _ = export(tmp_path, "--format", "csv", "--area", "logging")
    assert csv_names(path) == ["low-bucket"]
    path, _ = export(tmp_path, "--format", "csv", "--severity", "high", "--account", account)
    assert csv_names(path) == ["high-bucket", "muted-bucket"]
    path, _ = export(tmp_path, "--format", "csv", "--exclude-muted", "--account", account)
    assert csv_names(path) == ["high-bucket", "low-bucket"]


def test_json_export_is_an_array_of_findings(findings, tmp_path):
    path, _ = export(tmp_path, "--format", "json", "--severity", "low")
    [row] = json.loads(path.read_text())
    assert row["resource_name"] == "low-bucket"
    assert row["severity"] == "low"


def test_xlsx_export(findings, tmp_path):
    path, _ = export(tmp_path, "--format", "xlsx", name="out.xlsx")
    assert load_workbook(path).sheetnames == ["Findings", "Summary", "Checks", "Compliance"]


def test_pdf_export(findings, tmp_path):
    path, out = export(tmp_path, "--format", "pdf", "--as-of", "2026-11-20", name="out.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    assert "pdf report" in out


def test_evidence_export_is_a_pack_marked_unsigned_without_a_key(findings, tmp_path, settings):
    settings.EVIDENCE_SIGNING_KEY = settings.EVIDENCE_HMAC_KEY = ""
    path, _ = export(tmp_path, "--format", "evidence", "--exclude-muted", name="pack.zip")
    with zipfile.ZipFile(path) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        assert "manifest.sig" not in pack.namelist()
    assert manifest["signature"]["algorithm"] == "none"
    assert manifest["scope"]["muted"] == "excluded"
    assert manifest["generated_by"].endswith("(manage.py export)")


def test_every_export_is_in_the_audit_log(findings, tmp_path):
    export(tmp_path, "--format", "csv", "--area", "at_rest", "--as-of", "2026-11-19")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.username.startswith("cli:")
    assert entry.details["format"] == "csv"
    assert entry.details["scope"]["areas"] == ["at_rest"]
    assert entry.details["scope"]["as_of_date"] == "2026-11-19"
    assert entry.target.endswith("out")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-11-21"], "in the future"),
        (["--as-of", (NOW - timedelta(days=500)).date().isoformat()], "older than the 400 days"),
        (["--as-of", "June 30"], "must look like"),
        (["--account", "12345"], "exactly 12 digits"),
        (["--account", "999999999999"], "Unknown account id"),
    ],
)
def test_bad_scopes_are_refused_with_a_reason_and_nothing_written(findings, tmp_path, settings, args, message):
    settings.HISTORY_RETENTION_DAYS = 400
    with pytest.raises(CommandError, match=message):
        export(tmp_path, "--format", "csv", *args)
    assert not (tmp_path / "out").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_an_unwritable_output_is_a_clear_error(findings, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export", "--format", "csv", "-o", str(tmp_path / "missing" / "out.csv"))


@pytest.fixture
def logged(settings):
    """Every record the command line's logging (settings.LOGGING, root at INFO) lets through."""
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logging.config.dictConfig({**settings.LOGGING, "root": {**settings.LOGGING["root"], "level": "INFO"}})
    keep = Keep()
    logging.getLogger().addHandler(keep)
    yield records
    logging.getLogger().removeHandler(keep)


def test_a_pdf_export_logs_no_layout_or_font_subsetting_chatter(findings, tmp_path, monkeypatch, logged):
    from weasyprint.pdf import fonts

    # Where libharfbuzz-subset is missing WeasyPrint subsets fonts with fontTools, which logs each table at INFO.
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    export(tmp_path, "--format", "pdf", name="report.pdf")
    chatter = [r for r in logged if r.levelno < logging.WARNING and r.name.startswith(("fontTools", "weasyprint"))]
    assert chatter == []
    assert any(r.name == "weasyprint" and r.levelno == logging.WARNING for r in logged)  # that warning stays
