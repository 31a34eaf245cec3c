"""Compliance in the reports: the page, the PDF's compliance section, the XLSX Compliance sheet and the
evidence pack's compliance.json tell the same story for one fixture as of 10 days ago; the pack verifies."""

import io
import json
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import AwsAccountFactory
from dashboard.tests.factories import FindingEventFactory, FindingFactory
from dashboard.tests.test_compliance_view import cell

pytestmark = pytest.mark.django_db


def finding(account, check_id, name, then, now):
    """A finding that was `then` from 30 days ago until 5 days ago, and is `now` since."""
    row = FindingFactory(resource__account=account, resource__name=name, check_id=check_id, status=now)
    moment = timezone.now()
    FindingEventFactory(finding=row, at=moment - timedelta(days=30), new_status=then)
    if now != then:
        FindingEventFactory(finding=row, at=moment - timedelta(days=5), old_status=then, new_status=now)


@pytest.fixture
def estate():
    payments, analytics = AwsAccountFactory(name="payments"), AwsAccountFactory(name="analytics")
    finding(payments, "kms.key_rotation_enabled", "old-key", then="FAIL", now="PASS")
    finding(analytics, "kms.key_rotation_enabled", "good-key", then="PASS", now="PASS")
    finding(analytics, "s3.bucket_secure_transport", "open-bucket", then="FAIL", now="FAIL")
    finding(payments, "s3.bucket_secure_transport", "tls-bucket", then="PASS", now="PASS")
    finding(payments, "kms.key_pending_deletion", "err-key", then="ERROR", now="ERROR")
    return payments, analytics


def export(tmp_path, fmt, *options):
    path = tmp_path / f"compliance.{'zip' if fmt == 'evidence' else fmt}"
    call_command("export", "--format", fmt, "-o", str(path), *options, stdout=io.StringIO())
    return path


def test_page_pdf_and_pack_agree_as_of_ten_days_ago(estate, client_as, tmp_path, settings):
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed (scripts/test-prerequisites installs it)")
    settings.EVIDENCE_SIGNING_KEY = ""
    payments, analytics = estate
    day = (timezone.now() - timedelta(days=10)).date().isoformat()
    options = ("--framework", "pci-dss-4.0", "--as-of", day)
    page = client_as("viewer").get(reverse("dashboard:compliance"), {"framework": "pci-dss-4.0", "as_of": day}).text
    pack = export(tmp_path, "evidence", *options)
    with zipfile.ZipFile(pack) as members:
        (framework,) = json.loads(members.read("compliance.json"))
        manifest = json.loads(members.read("manifest.json"))
    assert "compliance.json" in {entry["name"] for entry in manifest["files"]}
    assert framework["framework"] == "pci-dss-4.0"
    requirements = {requirement["id"]: requirement for requirement in framework["requirements"]}
    for requirement_id, requirement in requirements.items():
        if requirement["checks"]:
            for account in (payments, analytics):
                assert cell(page, requirement_id, account.account_id) == requirement["accounts"][account.account_id]
    assert requirements["3.7.4"]["accounts"] == {payments.account_id: "failing", analytics.account_id: "passing"}
    assert requirements["4.2.1"]["status"] == "failing"
    assert requirements["3.7.5"]["accounts"][payments.account_id] == "error"
    assert requirements["10.4.1"]["status"] == "not_covered"
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(export(tmp_path, "pdf", *options)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    section = " ".join(pdf[pdf.index("Compliance: PCI DSS v4.0", pdf.index("Contents") + 100) :].split())
    assert "3.7.4" in section and f"Failing: payments ({payments.account_id})" in section
    assert "Not covered by Posture" in section


def test_the_signed_pack_with_compliance_json_verifies_and_a_change_to_it_does_not(
    estate, tmp_path, settings, monkeypatch
):
    secret = "an-hmac-secret-that-is-long-enough-0123456789"
    settings.EVIDENCE_SIGNING_KEY, settings.EVIDENCE_HMAC_KEY = None, secret
    monkeypatch.setenv("AUDIT_HMAC", secret)
    pack = export(tmp_path, "evidence", "--framework", "nist-800-53-r5")
    verify = ["verify_evidence", str(pack), "--hmac-key-env", "AUDIT_HMAC"]
    out = io.StringIO()
    call_command(*verify, stdout=out)
    assert out.getvalue().startswith("verified")
    with zipfile.ZipFile(pack) as members:
        files = {name: members.read(name) for name in members.namelist()}
    files["compliance.json"] = files["compliance.json"].replace(b'"failing"', b'"passing"', 1)
    with zipfile.ZipFile(pack, "w") as members:
        for name, data in files.items():
            members.writestr(name, data)
    with pytest.raises(CommandError, match="NOT verified: compliance.json"):
        call_command(*verify, stdout=io.StringIO())


def test_xlsx_has_a_compliance_sheet_with_every_framework_by_default(estate, tmp_path):
    payments, analytics = estate
    sheet = load_workbook(export(tmp_path, "xlsx"), read_only=True)["Compliance"]
    header, *rows = list(sheet.values)
    assert header[:5] == ("framework", "requirement", "title", "status", "checks")
    by_key = {(row[0], row[1]): dict(zip(header, row, strict=False)) for row in rows}
    assert {name for name, _ in by_key} >= {"PCI DSS v4.0", "CIS AWS Foundations Benchmark v5.0"}
    assert by_key[("PCI DSS v4.0", "4.2.1")][analytics.account_id] == "failing"
    assert by_key[("PCI DSS v4.0", "3.7.4")][payments.account_id] == "passing"


def test_an_unknown_framework_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="Unknown framework 'pci'; choose one of: cis-aws-3.0"):
        export(tmp_path, "csv", "--framework", "pci")
