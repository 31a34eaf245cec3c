from celery import shared_task

from dashboard import reports
from dashboard.models import ReportJob


# The hard limit stays under ReportJob.STALL_AFTER, so a job past it is known to have lost its worker.
@shared_task(acks_late=True, soft_time_limit=45 * 60, time_limit=50 * 60)
def build_report(job_id):
    """Build one report job's file (see dashboard.reports.run_job)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    reports.run_job(job)
    return job.status
