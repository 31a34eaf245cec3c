"""OCSF export: every line is a Detection Finding that py-ocsf-models validates, carrying the finding's values,
through `manage.py export --format ocsf`, the Reports page and the API's report jobs."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from py_ocsf_models.events.findings.detection_finding import DetectionFinding

from api.tests.conftest import TokenClient, make_user
from api.tokens import issue
from checks.catalog import CATALOG
from checks.catalog.base import Area, KeyOwner, Severity, Status
from dashboard import reports
from dashboard.models import ReportJob
from dashboard.tests.factories import FindingEventFactory, FindingFactory, ResourceFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234"


@pytest.fixture
def findings(time_machine):
    time_machine.move_to(NOW, tick=False)
    bucket = ResourceFactory(
        account__account_id="111111111111",
        account__name="payments",
        name="card-data",
        uid="arn:aws:s3:::card-data",
        region="eu-west-1",
        key_owner=KeyOwner.CUSTOMER_MANAGED,
        kms_key_arn=KEY,
    )
    failing = FindingFactory(
        resource=bucket,
        check_id="s3.bucket_default_encryption",
        severity=Severity.HIGH,
        area=Area.AT_REST,
        reason="Bucket has no default encryption.",
        first_seen=NOW - timedelta(days=10),
        last_seen=NOW - timedelta(hours=1),
    )
    passing = FindingFactory(
        resource=ResourceFactory(account=bucket.account, name="logs"), status=Status.PASS, severity=Severity.LOW
    )
    muted = FindingFactory(resource=ResourceFactory(account=bucket.account, name="accepted"))
    muted.suppression = SuppressionFactory(account=bucket.account)
    muted.save()
    other = FindingFactory(resource=ResourceFactory(account__account_id="222222222222", name="elsewhere"))
    return {"failing": failing, "passing": passing, "muted": muted, "other": other}


def events(text):
    """Each line validated by py-ocsf-models' DetectionFinding, by resource name."""
    parsed = [DetectionFinding.model_validate_json(line) for line in text.splitlines()]
    assert all(json.loads(line) for line in text.splitlines())  # one JSON object per line
    return {event.resources[0].name: event for event in parsed}


def export(tmp_path, *args):
    path = tmp_path / "findings.ocsf.jsonl"
    out = io.StringIO()
    call_command("export", "--format", "ocsf", *args, "-o", str(path), stdout=out)
    return path.read_text(), out.getvalue()


def test_export_command_writes_detection_findings_with_the_findings_values(findings, tmp_path):
    text, out = export(tmp_path)
    by_name = events(text)
    assert out.strip().startswith("Wrote 4 findings")
    event = by_name["card-data"]
    assert (event.class_uid, event.category_uid, event.type_uid) == (2004, 2, 200401)
    assert event.severity_id == 4 and event.status_id == 1 and event.status_code == "FAIL"
    assert event.status_detail == "Bucket has no default encryption."
    assert event.cloud.provider == "AWS" and event.cloud.region == "eu-west-1"
    assert (event.cloud.account.uid, event.cloud.account.name) == ("111111111111", "payments")
    resource = event.resources[0]
    assert (resource.uid, resource.type, resource.region, resource.cloud_partition) == (
        "arn:aws:s3:::card-data",
        "s3.bucket",
        "eu-west-1",
        "aws",
    )
    assert resource.data == {"key_owner": "customer_managed", "kms_key_arn": KEY}
    check = CATALOG["s3.bucket_default_encryption"]
    assert event.finding_info.title == check.title and event.finding_info.analytic.uid == check.id
    assert event.remediation.desc == check.remediation
    assert event.finding_info.first_seen_time == int((NOW - timedelta(days=10)).timestamp() * 1000)
    assert event.finding_info.last_seen_time == event.time == int((NOW - timedelta(hours=1)).timestamp() * 1000)
    assert event.unmapped["muted"] is False and event.metadata.product.name == "Posture"


def test_status_and_mute_map_to_ocsf_status(findings, tmp_path):
    by_name = events(export(tmp_path)[0])
    assert by_name["logs"].status_id == 4 and by_name["logs"].severity_id == 2  # PASS → Resolved; low → Low
    assert by_name["accepted"].status_id == 3 and by_name["accepted"].unmapped["muted"] is True  # Suppressed


def test_export_command_takes_the_same_scope_options(findings, tmp_path):
    assert set(events(export(tmp_path, "--account", "222222222222")[0])) == {"elsewhere"}
    assert set(events(export(tmp_path, "--exclude-muted", "--severity", "high")[0])) == {"card-data", "elsewhere"}


def test_as_of_exports_the_status_then(findings, tmp_path, time_machine):
    failing = findings["failing"]
    FindingEventFactory(finding=failing, at=NOW - timedelta(days=3), old_status="", new_status=Status.PASS)
    FindingEventFactory(finding=failing, at=NOW - timedelta(days=1), old_status=Status.PASS, new_status=Status.FAIL)
    text, _ = export(tmp_path, "--account", "111111111111", "--as-of", (NOW - timedelta(days=2)).date().isoformat())
    event = events(text)["card-data"]
    assert event.status_code == "PASS" and event.status_id == 4


def test_reports_page_offers_ocsf_and_streams_it(findings, client_as):
    client = client_as("auditor")
    assert 'value="ocsf"' in client.get("/reports/").text
    response = client.post("/reports/build/", {"format": "ocsf", "muted": "include", "accounts": ["111111111111"]})
    assert response["Content-Type"] == "application/x-ndjson"
    text = b"".join(response.streaming_content).decode()
    assert set(events(text)) == {"card-data", "logs", "accepted"}


def test_api_report_job_in_ocsf(findings, settings, tmp_path):
    settings.REPORTS_DIR = tmp_path
    client = TokenClient(issue(make_user("siem", "auditor"), "siem")[1])
    created = client.post("/api/v1/reports/", {"format": "ocsf", "accounts": ["222222222222"]}, "application/json")
    reports.run_job(ReportJob.objects.get(pk=created.json()["id"]))
    download = client.get(f"/api/v1/reports/{created.json()['id']}/download/")
    assert download["Content-Type"] == "application/x-ndjson"
    assert set(events(b"".join(download.streaming_content).decode())) == {"elsewhere"}


def test_api_streams_ocsf_for_a_small_scope(findings, monkeypatch):
    client = TokenClient(issue(make_user("siem", "auditor"), "siem")[1])
    response = client.get("/api/v1/findings/ocsf/", {"account": "111111111111", "include_muted": "false"})
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert set(events(b"".join(response.streaming_content).decode())) == {"card-data", "logs"}
    assert client.get("/api/v1/findings/ocsf/", {"area": "colour"}).status_code == 400
    assert client.get("/api/v1/findings/ocsf/", {"acount": "111111111111"}).status_code == 400
    monkeypatch.setattr(reports, "STREAM_LIMIT", 1)
    too_many = client.get("/api/v1/findings/ocsf/")
    assert too_many.status_code == 400 and "POST /api/v1/reports/" in too_many.json()["errors"]["scope"][0]
    viewer = TokenClient(issue(make_user("viewer-siem", "viewer"), "siem")[1])
    assert viewer.get("/api/v1/findings/ocsf/").status_code == 403
