"""Reports: write any format for a scope, and run report jobs (queued for a worker, or built in place).

Views and the export command parse input and call these; the exporters live in dashboard/exports/.
"""

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from checks.retention import delete_in_batches
from dashboard import audit
from dashboard.exports import csv as csv_export
from dashboard.exports import evidence, ocsf, pdf, xlsx
from dashboard.exports import json as json_export
from dashboard.exports.scope import Scope
from dashboard.models import ReportJob

logger = logging.getLogger(__name__)

Format = ReportJob.Format
EXTENSIONS = {
    Format.CSV: "csv",
    Format.JSON: "json",
    Format.XLSX: "xlsx",
    Format.PDF: "pdf",
    Format.EVIDENCE: "zip",
    Format.OCSF: "ocsf.jsonl",
}
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.JSON: "application/json",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.PDF: "application/pdf",
    Format.EVIDENCE: "application/zip",
    Format.OCSF: "application/x-ndjson",
}
STREAMABLE = (Format.CSV, Format.JSON, Format.OCSF)
# Up to this many findings a CSV or JSON export streams straight to the browser (the Reports page and the
# Findings page's export alike), and a report may be built in a web request ("Build it here"); beyond, it is
# a job, so a proxy's timeout cannot cut an auditor's file short and no request holds a web worker for long.
STREAM_LIMIT = 20_000


def file_name(fmt, scope):
    kind = {Format.PDF: "report", Format.EVIDENCE: "evidence"}.get(fmt, "findings")
    return f"posture-{kind}-{scope.at:%Y-%m-%d}.{EXTENSIONS[fmt]}"


def write_csv(scope, path, generated_by, progress):
    with open(path, "w", encoding="utf-8", newline="") as out:
        return csv_export.write_records(scope.csv_rows(), out)


def write_json(scope, path, generated_by, progress):
    with open(path, "w", encoding="utf-8") as out:
        return json_export.write_objects(scope.json_objects(), out)


def write_ocsf(scope, path, generated_by, progress):
    with open(path, "w", encoding="utf-8") as out:
        return ocsf.write(scope.rows(), out, settings.POSTURE_VERSION)


def write_pdf(scope, path, generated_by, progress):
    progress("laying out the report")
    Path(path).write_bytes(pdf.render(scope, generated_by))


def write_evidence(scope, path, generated_by, progress):
    return evidence.build(scope, path, generated_by, progress=progress)["counts"]["findings"]


WRITERS = {
    Format.CSV: write_csv,
    Format.JSON: write_json,
    Format.XLSX: xlsx.write,
    Format.PDF: write_pdf,
    Format.EVIDENCE: write_evidence,
    Format.OCSF: write_ocsf,
}


def write(fmt, scope, path, generated_by, progress=None):
    """Write `scope` in format `fmt` to `path`; returns the number of findings written (None for a PDF)."""
    progress = progress or (lambda *args, **kwargs: None)
    return WRITERS[fmt](scope, path, generated_by, progress)


def should_stream(fmt, scope):
    return fmt in STREAMABLE and is_small(scope)


def is_small(scope):
    """Small enough for a web request to read: at most STREAM_LIMIT findings. Larger work goes to a worker."""
    return scope.findings().count() <= STREAM_LIMIT


def stream(fmt, scope):
    """The CSV, JSON or OCSF text of `scope`, piece by piece, in constant memory."""
    if fmt == Format.CSV:
        return csv_export.record_lines(scope.csv_rows(per_account=False))
    if fmt == Format.OCSF:
        return ocsf.lines(scope.rows(per_account=False), settings.POSTURE_VERSION)
    return json_export.object_chunks(scope.json_objects(per_account=False))


def record_export(request, fmt, scope, target, user=None, **details):
    """The audit entry of an export: who, which format, what scope (and when, by the entry itself)."""
    return audit.record(
        request, audit.Action.EXPORT, target=target, user=user, format=str(fmt), scope=scope.describe(), **details
    )


def describe_user(user):
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{name} ({user.get_username()})" if name else user.get_username()


# --- jobs --------------------------------------------------------------------------------------------


def job_dir(job):
    return Path(settings.REPORTS_DIR) / str(job.pk)


def job_path(job):
    return job_dir(job) / job.file_name if job.file_name else None


def prune(now, cut):
    """Finished report jobs created before the history cut-off, with their folders (checks.retention hook)."""
    old = ReportJob.objects.filter(created_at__lt=cut, status__in=ReportJob.FINISHED)
    for job in old.only("pk").iterator():
        shutil.rmtree(job_dir(job), ignore_errors=True)
    return {"reports": delete_in_batches(old)}


def request_job(user, fmt, scope):
    """A queued ReportJob for `user`, handed to a worker once the transaction commits."""
    job = ReportJob.objects.create(
        requested_by=user,
        format=fmt,
        scope=scope.to_json(),
        file_name=file_name(fmt, scope),
        stage="waiting for a worker",
    )
    transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job):
    """Hand the job to the broker; if it is down, the job stays queued and says so (nothing is lost)."""
    from dashboard.tasks import build_report

    try:
        build_report.apply_async((job.pk,), retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure: keep the job, tell the user
        logger.warning("could not enqueue report job %s: %s", job.pk, error)
        ReportJob.objects.filter(pk=job.pk).update(queue_unavailable=True, stage="the queue is unavailable")
        job.queue_unavailable, job.stage = True, "the queue is unavailable"
        return False
    ReportJob.objects.filter(pk=job.pk).update(queue_unavailable=False, stage="waiting for a worker")
    job.queue_unavailable = False
    return True


def claim(job):
    """Move a queued (or stalled) job to running; False when a worker or another request has it."""
    now = timezone.now()
    claimable = Q(status=ReportJob.State.QUEUED) | Q(
        status=ReportJob.State.RUNNING, started_at__lt=now - ReportJob.STALL_AFTER
    )
    taken = ReportJob.objects.filter(claimable, pk=job.pk).update(
        status=ReportJob.State.RUNNING, started_at=now, stage="starting", queue_unavailable=False
    )
    job.refresh_from_db()
    return bool(taken)


def save_progress(job, stage, done=None, total=None):
    fields = {"stage": stage[:64]}
    if done is not None:
        fields["progress_done"] = done
    if total is not None:
        fields["progress_total"] = total
    ReportJob.objects.filter(pk=job.pk).update(**fields)


def run_job(job):
    """Build a claimed-or-queued job's file under REPORTS_DIR; the job ends succeeded or failed."""
    if not claim(job):
        return job
    scope = Scope.from_json(job.scope)
    directory = job_dir(job)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / job.file_name
    generated_by = describe_user(job.requested_by) if job.requested_by else "a deleted user"
    try:
        count = write(
            job.format,
            scope,
            path,
            generated_by,
            progress=lambda stage, done=None, total=None: save_progress(job, stage, done, total),
        )
    except Exception as error:
        logger.exception("report job %s failed", job.pk)
        shutil.rmtree(directory, ignore_errors=True)
        finish(job, ReportJob.State.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    finish(job, ReportJob.State.SUCCEEDED, size=path.stat().st_size, count=count)
    return job


def finish(job, status, size=None, count=None, error=""):
    fields = {
        "status": status,
        "finished_at": timezone.now(),
        "stage": "done" if not error else "failed",
        "file_size": size,
        "row_count": count,
        "error_message": error[:4000],
    }
    if status == ReportJob.State.SUCCEEDED:
        fields["progress_done"] = F("progress_total")
    ReportJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
