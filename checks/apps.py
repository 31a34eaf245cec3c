from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Checks and scans"

    def ready(self):
        from django.db.models.signals import post_delete

        from accounts.models import AwsAccount
        from checks import (
            catalog,  # noqa: F401 - registers every check
            totals,
        )

        post_delete.connect(totals.account_deleted, sender=AwsAccount, dispatch_uid="checks.totals.account_deleted")
