"""No web request does unbounded work: the Findings page's CSV export streams at most the Reports page's limit
(reports.STREAM_LIMIT) and offers a background job of the same rows beyond it; "Build it here" on the Reports
page builds only a report within that limit."""

import csv
import io

import pytest
from django.urls import reverse

from checks.catalog.base import Severity, Status
from checks.models import Finding
from dashboard import reports
from dashboard.exports.scope import Scope
from dashboard.models import AuditEntry, ReportJob
from dashboard.tests.factories import FindingFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("dashboard:findings_export")
LIMIT = 4


@pytest.fixture(autouse=True)
def small_limit(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(reports, "STREAM_LIMIT", LIMIT)
    settings.REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def findings():
    """Six high findings (five failing) and two low ones."""
    high = [FindingFactory(severity=Severity.HIGH, status=Status.FAIL) for _ in range(5)]
    high.append(FindingFactory(severity=Severity.HIGH, status=Status.PASS))
    low = [FindingFactory(severity=Severity.LOW, status=Status.FAIL) for _ in range(2)]
    return {"high": high, "low": low}


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_within_the_limit_the_export_streams_the_rows(client_as, findings):
    response = client_as("auditor").get(EXPORT, {"severity": "low"})

    assert response.streaming
    rows = csv_rows(b"".join(response.streaming_content).decode())
    assert {row["resource_uid"] for row in rows} == {f.resource.uid for f in findings["low"]}


def test_beyond_the_limit_the_export_streams_nothing_and_offers_a_background_job(client_as, findings):
    response = client_as("auditor").get(EXPORT, {"severity": "high"})

    assert not response.streaming
    assert response["Content-Type"].startswith("text/html")
    assert "These filters match 6 findings, more than the 4" in response.text
    assert f'action="{EXPORT}?severity=high"' in response.text
    assert not ReportJob.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_background_job_holds_exactly_the_rows_the_table_lists(client_as, findings):
    client = client_as("auditor")

    response = client.post(f"{EXPORT}?severity=high&status=FAIL&sort=account")

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:reports") + f"#job-{job.pk}"
    assert (job.format, job.requested_by) == (ReportJob.Format.CSV, client.user)
    assert Scope.from_json(job.scope).findings_filter == "severity=high&status=FAIL"
    reports.run_job(job)
    rows = csv_rows(reports.job_path(job).read_text(encoding="utf-8"))
    assert {row["resource_uid"] for row in rows} == {f.resource.uid for f in findings["high"][:5]}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.details["delivery"], entry.details["scope"]["findings_filter"]) == (
        "background",
        "severity=high&status=FAIL",
    )


def test_a_background_export_of_closed_findings_holds_them(client_as, findings):
    Finding.objects.filter(severity=Severity.HIGH).update(closed_at=findings["high"][0].last_seen)
    client = client_as("auditor")

    client.post(f"{EXPORT}?status=closed")

    job = ReportJob.objects.get()
    reports.run_job(job)
    rows = csv_rows(reports.job_path(job).read_text(encoding="utf-8"))
    assert len(rows) == 6


def test_a_viewer_can_neither_export_nor_start_the_job(client_as, findings):
    client = client_as("viewer")

    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT).status_code == 403
    assert not ReportJob.objects.exists()


def test_build_it_here_refuses_a_report_beyond_the_limit(client_as, findings):
    client = client_as("auditor")
    job = reports.request_job(client.user, ReportJob.Format.PDF, Scope())

    response = client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers={"HX-Request": "true"})

    job.refresh_from_db()
    assert job.status == ReportJob.State.QUEUED
    assert "too many to build in a web request" in response.text


def test_build_it_here_still_builds_a_small_report(client_as, findings):
    client = client_as("auditor")
    job = reports.request_job(client.user, ReportJob.Format.CSV, Scope(severities=("low",)))

    client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers={"HX-Request": "true"})

    job.refresh_from_db()
    assert job.status == ReportJob.State.SUCCEEDED
    assert job.row_count == 2
