from django.urls import path, re_path

from api.endpoints import not_found, openapi
from api.views import accounts, catalog, changes, findings, reports

app_name = "api"

urlpatterns = [
    path("v1/openapi.json", openapi(), name="openapi"),
    path("v1/accounts/", accounts.account_list, name="accounts"),
    path("v1/accounts/<str:account_id>/", accounts.account_detail, name="account"),
    path("v1/findings/", findings.finding_list, name="findings"),
    path("v1/findings/<int:pk>/", findings.finding_detail, name="finding"),
    path("v1/findings/ocsf/", reports.ocsf_export, name="findings_ocsf"),
    path("v1/changes/", changes.change_list, name="changes"),
    path("v1/catalog/", catalog.catalog, name="catalog"),
    path("v1/reports/", reports.report_jobs, name="reports"),
    path("v1/reports/<int:pk>/", reports.report_job, name="report"),
    path("v1/reports/<int:pk>/download/", reports.report_download, name="report_download"),
    re_path(r"^.*$", not_found, name="not_found"),
]
