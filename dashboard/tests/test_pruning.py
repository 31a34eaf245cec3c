"""Dashboard prunes its own tables with the history (checks.retention.register): finished report jobs
and their files after the history window, audit entries after the longer audit window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checks import retention
from dashboard import audit, reports
from dashboard.models import AuditEntry, ReportJob

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def now(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.HISTORY_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS = 400, 730
    return timezone.now()


def job(status, age):
    made = ReportJob.objects.create(format=ReportJob.Format.CSV, status=status, created_at=timezone.now() - age)
    folder = reports.job_dir(made)
    folder.mkdir(parents=True)
    (folder / "findings.csv").write_text("a,b\n")
    return made


def test_finished_jobs_older_than_the_window_go_with_their_files_and_the_rest_stay(now):
    old_done, old_failed = job(ReportJob.State.SUCCEEDED, 401 * DAY), job(ReportJob.State.FAILED, 500 * DAY)
    old_running, recent = job(ReportJob.State.RUNNING, 401 * DAY), job(ReportJob.State.SUCCEEDED, 10 * DAY)

    counts = retention.prune(now=now)

    assert counts["reports"] == 2
    assert set(ReportJob.objects.all()) == {old_running, recent}
    assert not reports.job_dir(old_done).exists()
    assert not reports.job_dir(old_failed).exists()
    assert (reports.job_dir(old_running) / "findings.csv").exists()
    assert (reports.job_dir(recent) / "findings.csv").exists()


def test_audit_entries_outlive_the_history_window(now):
    kept = AuditEntry.objects.create(action=AuditEntry.Action.EXPORT, at=now - 500 * DAY)
    AuditEntry.objects.create(action=AuditEntry.Action.EXPORT, at=now - 800 * DAY)

    assert retention.prune(now=now)["audit_entries"] == 1
    assert list(AuditEntry.objects.all()) == [kept]


def test_dashboard_registers_its_pruners_once():
    assert {"dashboard.reports": reports.prune, "dashboard.audit": audit.prune} == retention.PRUNERS
