from celery import shared_task

from dashboard import reports
from dashboard.models import ReportJob


@shared_task(acks_late=True)
def build_report(job_id):
    """Build one report job's file (see dashboard.reports.run_job)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    reports.run_job(job)
    return job.status
