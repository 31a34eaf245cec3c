"""Settings are read from the environment at import: malformed values stop Django with the variable's name.

Each case runs in a fresh interpreter because settings are evaluated once, at import.
"""

import re

import pytest

from tests.processes import run_manage, run_python
from tests.project import PROJECT_ROOT, settings_variables

SETUP = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
)
DEVELOPMENT = {"DEBUG": "true"}


def exception_line(stderr):
    """The last line of a traceback: `module.Exception: message`."""
    return [line for line in stderr.splitlines() if line.strip()][-1]


def test_well_formed_environment_starts(tmp_path):
    result = run_python(SETUP, **DEVELOPMENT, SQLITE_PATH=str(tmp_path / "db.sqlite3"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_debug_is_off_unless_set():
    result = run_python(SETUP, SECRET_KEY="a-production-like-secret-key-" + "x" * 40)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="boolean"),
        pytest.param({**DEVELOPMENT, "SECURE_SSL_REDIRECT": "sometimes"}, "SECURE_SSL_REDIRECT", id="boolean-2"),
        pytest.param({**DEVELOPMENT, "POSTURE_AWS_MAX_ATTEMPTS": "lots"}, "POSTURE_AWS_MAX_ATTEMPTS", id="integer"),
        pytest.param({**DEVELOPMENT, "POSTURE_SCAN_THREADS": "0"}, "POSTURE_SCAN_THREADS", id="integer-minimum"),
        pytest.param({**DEVELOPMENT, "ALLOWED_HOSTS": "a.example.com,,b.example.com"}, "ALLOWED_HOSTS", id="list"),
        pytest.param({**DEVELOPMENT, "CELERY_BROKER_URL": "nonsense"}, "CELERY_BROKER_URL", id="url"),
        pytest.param({**DEVELOPMENT, "DB": "mysql"}, "DB", id="choice"),
        pytest.param({**DEVELOPMENT, "DB": "postgres", "DB_PORT": "fivefourthreetwo"}, "DB_PORT", id="postgres-port"),
        pytest.param({"DEBUG": "false"}, "SECRET_KEY", id="secret-key-required"),
        pytest.param(
            {**DEVELOPMENT, "POSTURE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"},
            "POSTURE_TRUSTED_PROXIES",
            id="proxies",
        ),
        pytest.param(
            {**DEVELOPMENT, "POSTURE_SIGNIN_MAX_FAILURES_PER_ADDRESS": "0"},
            "POSTURE_SIGNIN_MAX_FAILURES_PER_ADDRESS",
            id="per-address-minimum",
        ),
        pytest.param(
            {**DEVELOPMENT, "POSTURE_TEAM_OUS": "payments=ou-ab12-cdef3456"}, "POSTURE_TEAM_OUS", id="ou-teams"
        ),
        pytest.param(
            {**DEVELOPMENT, "POSTURE_WEBHOOK_URLS": "http://hooks.example.com/x"},
            "POSTURE_WEBHOOK_URLS",
            id="http-hook",
        ),
        pytest.param(
            {
                **DEVELOPMENT,
                "POSTURE_WEBHOOK_URLS": "ftp://hooks.example.com/x",
                "POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP": "true",
            },
            "POSTURE_WEBHOOK_URLS",
            id="ftp-hook",
        ),
    ],
)
def test_malformed_variable_is_rejected_by_name(variables, named):
    result = run_python(SETUP, **variables)

    assert result.returncode != 0
    line = exception_line(result.stderr)
    assert line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert line.split(":", 1)[1].strip().startswith(named), line


def test_a_plain_http_webhook_is_accepted_when_asked_for_by_name(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.WEBHOOK_URLS)",
        **DEVELOPMENT,
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        POSTURE_WEBHOOK_URLS="http://127.0.0.1:9000/hook",
        POSTURE_WEBHOOK_ALLOW_PLAIN_HTTP="true",
    )

    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:9000/hook" in result.stdout


def test_trusted_proxies_are_read_as_networks(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)",
        **DEVELOPMENT,
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        POSTURE_TRUSTED_PROXIES="10.0.0.7, 10.1.0.0/16,2001:db8::/32",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['10.0.0.7/32', '10.1.0.0/16', '2001:db8::/32']"


def test_settings_read_the_variables_we_expect():
    assert {"DEBUG", "SECRET_KEY", "DB", "CELERY_BROKER_URL", "POSTURE_AWS_MAX_ATTEMPTS"} <= settings_variables()


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_variable_is_documented(document):
    text = (PROJECT_ROOT / document).read_text()
    missing = sorted(name for name in settings_variables() if not re.search(rf"\b{name}\b", text))

    assert not missing, f"{document} does not mention {missing}"


def test_migrate_works_where_the_sqlite_folder_does_not_exist_yet(tmp_path):
    # A fresh clone has no var/: the documented manage.py commands must work before `make demo` ran.
    database = tmp_path / "not-yet" / "there" / "posture.sqlite3"

    result = run_manage("migrate", "--noinput", **DEVELOPMENT, SQLITE_PATH=str(database))

    assert result.returncode == 0, result.stderr
    assert database.is_file()
