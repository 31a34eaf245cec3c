from django.urls import path

from dashboard.views import account, audit, catalog, changes, compliance, findings, keys, overview, reports

app_name = "dashboard"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("account/<int:pk>/", account.account, name="account"),
    path("account/<int:pk>/scan/", account.scan_now, name="scan_now"),
    path("account/<int:pk>/scans/<int:scan_id>/", account.scan_progress, name="scan_progress"),
    path("account/<int:pk>/scans/<int:scan_id>/cancel/", account.scan_cancel, name="scan_cancel"),
    path("findings/", findings.findings, name="findings"),
    path("findings/export/", findings.findings_export, name="findings_export"),
    path("findings/mute/", findings.findings_bulk_mute, name="findings_bulk_mute"),
    path("findings/<int:pk>/", findings.finding, name="finding"),
    path("findings/<int:pk>/mute/", findings.finding_mute, name="finding_mute"),
    path("findings/<int:pk>/unmute/", findings.finding_unmute, name="finding_unmute"),
    path("keys/", keys.keys, name="keys"),
    path("keys/resources/", keys.key_resources, name="key_resources"),
    path("checks/", catalog.checks, name="checks"),
    path("checks/<str:check_id>/", catalog.check, name="check"),
    path("changes/", changes.changes, name="changes"),
    path("compliance/", compliance.compliance_page, name="compliance"),
    path("compliance/failing/", compliance.requirement_failing, name="compliance_failing"),
    path("reports/", reports.reports_page, name="reports"),
    path("reports/build/", reports.report_build, name="report_build"),
    path("reports/jobs/", reports.report_jobs, name="report_jobs"),
    path("reports/jobs/<int:pk>/download/", reports.report_download, name="report_download"),
    path("reports/jobs/<int:pk>/build-here/", reports.report_build_here, name="report_build_here"),
    path("reports/jobs/<int:pk>/requeue/", reports.report_requeue, name="report_requeue"),
    path("audit/", audit.audit_log, name="audit_log"),
]
