"""The Reports page: roles, streaming small exports, background jobs with progress and downloads, the queue
being down, the audit trail, and query budgets with a realistic estate."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from dashboard import reports
from dashboard.exports import signing
from dashboard.models import AuditEntry, ReportJob
from dashboard.tasks import build_report
from dashboard.tests.report_estate import seed_estate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
PAGE = reverse("dashboard:reports")
BUILD = reverse("dashboard:report_build")
JOBS = reverse("dashboard:report_jobs")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.EVIDENCE_SIGNING_KEY = settings.EVIDENCE_HMAC_KEY = ""
    return settings.REPORTS_DIR


@pytest.fixture
def estate(time_machine):
    time_machine.move_to(NOW, tick=False)
    return seed_estate(NOW, accounts=25, resources=1, names={0: "<script>alert(1)</script>"})


def form(**values):
    return {"format": "csv", "muted": "include", **values}


def job_for(user, fmt="pdf", status=ReportJob.State.QUEUED, **fields):
    return ReportJob.objects.create(
        requested_by=user,
        format=fmt,
        status=status,
        file_name=f"report.{fmt}",
        scope={"accounts": [], "areas": [], "severities": [], "include_muted": True, "as_of": None},
        **fields,
    )


# --- roles -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "dashboard:reports", ()),
        ("post", "dashboard:report_build", ()),
        ("get", "dashboard:report_jobs", ()),
        ("get", "dashboard:report_download", (1,)),
        ("post", "dashboard:report_build_here", (1,)),
        ("post", "dashboard:report_requeue", (1,)),
    ],
)
def test_a_viewer_gets_403_everywhere(client_as, method, name, args):
    client = client_as("viewer")
    response = getattr(client, method)(reverse(name, args=args), headers=HTMX)
    assert response.status_code == 403
    assert not ReportJob.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_page_renders_within_a_query_budget_and_escapes_account_names(
    client_as, estate, django_assert_max_num_queries
):
    client = client_as("auditor")
    for _ in range(5):
        job_for(client.user, status=ReportJob.State.SUCCEEDED)
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert response.text.count('id="job-') == 5
    assert "marked <strong>unsigned</strong>" in response.text


def test_the_page_shows_the_public_key_when_ed25519_is_configured(client_as, settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "signing.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    settings.EVIDENCE_SIGNING_KEY = str(path)
    response = client_as("auditor").get(PAGE)
    assert signing.public_key_pem(key.public_key()).strip() in response.text
    assert signing.fingerprint(key.public_key()) in response.text


# --- streaming ---------------------------------------------------------------------------------------------


def test_a_small_csv_streams_at_once_and_is_audited(client_as, estate, django_assert_max_num_queries):
    client = client_as("auditor")
    account = estate[3]
    with django_assert_max_num_queries(12):
        response = client.post(BUILD, form(accounts=[account.account_id], severities=["high", "critical"]))
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="posture-findings-2026-11-20.csv"'
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert rows
    assert all(row[0] == account.account_id for row in rows)
    assert not ReportJob.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.username == "auditor-user"
    assert entry.details["delivery"] == "streamed"
    assert entry.details["scope"]["accounts"] == [account.account_id]
    assert entry.details["scope"]["severities"] == ["high", "critical"]


def test_a_small_json_streams_the_same_text_as_the_json_writer(client_as, estate):
    response = client_as("auditor").post(BUILD, form(format="json", as_of="2026-11-01", muted="exclude"))
    rows = json.loads(b"".join(response.streaming_content))
    assert rows
    assert all(row["muted"] is False for row in rows)
    assert response["Content-Type"] == "application/json"


def test_many_rows_become_a_background_job(client_as, estate, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(reports, "STREAM_LIMIT", 10)
    sent = []
    monkeypatch.setattr(build_report, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("auditor").post(BUILD, form())
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#job-{job.pk}"
    assert sent == [(job.pk,)]
    assert job.format == "csv"


# --- jobs ----------------------------------------------------------------------------------------------------


def test_a_pdf_is_queued_built_by_the_task_and_downloaded(
    client_as, estate, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_as("auditor")
    monkeypatch.setattr(build_report, "apply_async", lambda args, **kw: None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BUILD, form(format="evidence", as_of="2026-11-10", areas=["at_rest"]))
    job = ReportJob.objects.get()
    assert job.status == ReportJob.State.QUEUED
    polled = client.get(JOBS, headers=HTMX)
    assert polled.status_code == 200  # still polling
    assert 'hx-trigger="every 2s"' in polled.text

    assert build_report(job.pk) == ReportJob.State.SUCCEEDED  # the task body, run as a worker would

    polled = client.get(JOBS, headers=HTMX)
    assert polled.status_code == 286  # htmx stops polling
    assert 'id="report-jobs"' in polled.text
    assert "<html" not in polled.text
    assert reverse("dashboard:report_download", args=[job.pk]) in polled.text
    download = client.get(reverse("dashboard:report_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="posture-evidence-2026-11-10.zip"'
    pack = downloaded(download)
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"]["areas"] == ["at_rest"]
    assert manifest["generated_by"] == "auditor-user"
    deliveries = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).values_list("details__delivery", flat=True)
    )
    assert sorted(deliveries) == ["background", "downloaded"]


def downloaded(response):
    import io

    return io.BytesIO(b"".join(response.streaming_content))


def test_progress_is_shown_while_building(client_as):
    client = client_as("auditor")
    job_for(
        client.user, status=ReportJob.State.RUNNING, stage="writing findings.json", progress_done=2, progress_total=6
    )
    response = client.get(JOBS, headers=HTMX)
    assert response.status_code == 200
    assert "writing findings.json" in response.text
    assert 'value="33"' in response.text


def test_when_the_broker_is_down_the_job_is_kept_and_can_be_built_here(
    client_as, estate, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_as("auditor")

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(build_report, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BUILD, form(format="xlsx"))
    job = ReportJob.objects.get()
    assert job.status == ReportJob.State.QUEUED
    assert job.queue_unavailable
    response = client.get(PAGE)
    assert "The queue is unavailable; nothing is lost." in response.text
    assert "Build it here" in response.text
    assert client.get(JOBS, headers=HTMX).status_code == 286  # nothing to wait for until someone acts

    response = client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers=HTMX)
    job.refresh_from_db()
    assert job.status == ReportJob.State.SUCCEEDED
    assert job.row_count > 0
    assert reports.job_path(job).is_file()
    assert f"Report {job.pk} was built here." in response.text
    assert "reports-changed" in json.loads(response["HX-Trigger"])


def test_queue_again_after_the_broker_is_back(client_as, monkeypatch):
    client = client_as("auditor")
    job = job_for(client.user, queue_unavailable=True)
    sent = []
    monkeypatch.setattr(build_report, "apply_async", lambda args, **kw: sent.append(args))
    response = client.post(reverse("dashboard:report_requeue", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert sent == [(job.pk,)]
    assert not job.queue_unavailable
    assert "queued again" in response.text


def test_a_failed_build_says_why_and_offers_no_download(client_as, monkeypatch):
    client = client_as("auditor")
    job = job_for(client.user, fmt="pdf")

    def explode(*args, **kwargs):
        raise RuntimeError("pango is missing")

    monkeypatch.setattr(reports, "WRITERS", {**reports.WRITERS, "pdf": explode})
    response = client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers=HTMX)
    job.refresh_from_db()
    assert job.status == ReportJob.State.FAILED
    assert "pango is missing" in response.text
    assert client.get(reverse("dashboard:report_download", args=[job.pk])).status_code == 404


def test_someone_elses_job_is_not_found(client_as):
    other = User.objects.create_user("other-auditor")
    job = job_for(other, status=ReportJob.State.SUCCEEDED)
    client = client_as("auditor")
    assert client.get(reverse("dashboard:report_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("dashboard:report_build_here", args=[job.pk])).status_code == 404
    assert f'id="job-{job.pk}"' not in client.get(PAGE).text


def test_an_admin_sees_every_job(client_as):
    other = User.objects.create_user("other-auditor")
    job = job_for(other, status=ReportJob.State.SUCCEEDED)
    assert f'id="job-{job.pk}"' in client_as("admin").get(PAGE).text


def test_a_built_job_runs_only_once(client_as, monkeypatch):
    client = client_as("auditor")
    job = job_for(client.user, fmt="csv")
    reports.run_job(job)
    calls = []
    monkeypatch.setattr(reports, "WRITERS", {**reports.WRITERS, "csv": lambda *a: calls.append(a)})
    build_report(job.pk)
    assert calls == []


# --- the form ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"as_of": "2099-01-01"}, "is in the future"),
        ({"as_of": "2020-01-01"}, "older than the"),
        ({"format": "docx"}, "Select a valid choice"),
        ({"accounts": ["999999999999"]}, "Select a valid choice"),
        ({"areas": ["nowhere"]}, "Select a valid choice"),
    ],
)
def test_an_invalid_form_re_renders_with_200_and_builds_nothing(client_as, values, message):
    response = client_as("auditor").post(BUILD, form(**values))
    assert response.status_code == 200
    assert message in response.text
    assert not ReportJob.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_jobs_fragment_redirects_a_plain_browser_to_the_page(client_as):
    response = client_as("auditor").get(JOBS)
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_a_job_whose_worker_died_is_stalled_and_can_be_built_again(client_as, time_machine):
    time_machine.move_to(NOW, tick=False)
    client = client_as("auditor")
    job = job_for(client.user, fmt="csv", status=ReportJob.State.RUNNING, started_at=NOW - ReportJob.STALL_AFTER * 2)
    polled = client.get(JOBS, headers=HTMX)
    assert polled.status_code == 286
    assert "Stalled" in polled.text
    client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers=HTMX)
    job.refresh_from_db()
    assert job.status == ReportJob.State.SUCCEEDED


def test_a_running_job_is_not_built_twice(client_as):
    client = client_as("auditor")
    job = job_for(client.user, fmt="csv", status=ReportJob.State.RUNNING, started_at=timezone.now())
    client.post(reverse("dashboard:report_build_here", args=[job.pk]), headers=HTMX)
    job.refresh_from_db()
    assert job.status == ReportJob.State.RUNNING


def test_the_polled_jobs_list_has_a_query_budget(client_as, django_assert_max_num_queries):
    client = client_as("auditor")
    for index in range(25):
        job_for(client.user, status=ReportJob.State.RUNNING if index % 2 else ReportJob.State.SUCCEEDED)
    with django_assert_max_num_queries(4):
        response = client.get(JOBS, headers=HTMX)
    assert response.status_code == 200
    assert response.text.count('id="job-') == 20


# --- a real worker ---------------------------------------------------------------------------------------------


@pytest.mark.redis
def test_a_real_worker_on_redis_builds_a_queued_job(tmp_path, monkeypatch):
    """The web process queues, a separate `celery worker` builds: the task is routed, named and run for real."""
    import os
    import subprocess
    import uuid

    import redis as redis_client
    from celery import Celery

    from tests.processes import PROJECT_ROOT, PYTHON, clean_environment, run_manage

    url = os.environ.get("POSTURE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis_client.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis_client.RedisError as error:
        pytest.fail(f"Redis does not answer at {url}: {error}", pytrace=False)
    variables = {
        "DEBUG": "true",
        "SQLITE_PATH": str(tmp_path / "worker.sqlite3"),
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "POSTURE_REPORTS_DIR": str(tmp_path / "reports"),
    }
    assert run_manage("migrate", "-v", "0", **variables).returncode == 0
    made = run_manage(
        "shell",
        "-c",
        "from dashboard.models import ReportJob; print(ReportJob.objects.create("
        "format='csv', file_name='f.csv', scope={'include_muted': True}).pk)",
        **variables,
    )
    job_id = int(made.stdout.strip().splitlines()[-1])
    queue = f"posture-test-{uuid.uuid4().hex}"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "posture",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=PROJECT_ROOT,
        env=clean_environment(**variables),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    # Not the current app: shared tasks elsewhere in the suite must keep publishing through posture's app.
    producer = Celery("posture-test-producer", broker=url, backend=url, set_as_current=False)
    try:
        result = producer.send_task("dashboard.tasks.build_report", args=[job_id], queue=queue)
        assert result.get(timeout=120) == "succeeded", (tmp_path / "worker.log").read_text()
    finally:
        worker.kill()
        worker.wait(timeout=30)
        log.close()
        producer.close()
        redis_client.Redis.from_url(url).delete(queue)
    assert (tmp_path / "reports" / str(job_id) / "f.csv").read_text().startswith("\ufeffaccount_id")
