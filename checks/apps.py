from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Checks and scans"

    def ready(self):
        from checks import catalog  # noqa: F401 - registers every check
