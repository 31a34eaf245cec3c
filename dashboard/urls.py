from django.urls import path

from dashboard.views import overview, placeholders

app_name = "dashboard"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("findings/", placeholders.findings, name="findings"),
    path("keys/", placeholders.keys, name="keys"),
    path("checks/", placeholders.checks, name="checks"),
    path("changes/", placeholders.changes, name="changes"),
    path("reports/", placeholders.reports, name="reports"),
]
