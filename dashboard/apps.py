from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self):
        from checks import retention
        from dashboard import audit, reports  # audit connects the sign-in/out receivers

        # Dashboard's tables are pruned by dashboard, with the history (checks never reaches up into them).
        retention.register("dashboard.reports", reports.prune)
        retention.register("dashboard.audit", audit.prune)
