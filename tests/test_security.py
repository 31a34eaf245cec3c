"""The dashboard's own security: password rules, cookies and HSTS in production, a Content-Security-Policy the
templates can live with, framing refused, and no AWS secret stored anywhere. (Sign-in throttling has its own
file, test_signin_throttle.py.)"""

import ast
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.urls import reverse

from tests.processes import run_python
from tests.project import PROJECT_ROOT

PASSWORD = "a-long-test-password"  # noqa: S105 - a test user's password


# --- Passwords, cookies, headers -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["short1", "password123", "1234567890123", "alice-the-user"])
def test_a_weak_new_password_is_refused(client, weak):
    user = User.objects.create_user("alice-the-user", password=PASSWORD)
    client.force_login(user)

    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


PRODUCTION_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
    "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.DEBUG]))"
)


def test_production_cookies_are_secure_http_only_same_site_and_hsts_is_on(tmp_path):
    result = run_python(
        PRODUCTION_SETTINGS,
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="posture.example.com",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )

    assert result.returncode == 0, result.stderr
    import json

    assert json.loads(result.stdout) == [True, True, "Lax", True, "Lax", 31536000, True, True, "DENY", True, False]


@pytest.mark.django_db
def test_pages_carry_csp_without_inline_script_and_refuse_framing(client_as):
    response = client_as("viewer").get(reverse("dashboard:overview"))
    assert response.status_code == 200

    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no other origin
    assert csp["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def template_files():
    roots = [
        PROJECT_ROOT / "templates",
        *(PROJECT_ROOT / app / "templates" for app in ("accounts", "checks", "dashboard")),
    ]
    return sorted(path for root in roots if root.exists() for path in root.rglob("*.html"))


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> (CSP refuses it; use a static file)"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "an on*= event handler attribute"),
    (re.compile(r"\bhx-on", re.I), "hx-on (evaluated script)"),
    (re.compile(r"\bstyle\s*=|<style", re.I), "inline style (CSP style-src 'self')"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_templates_are_found():
    names = {path.name for path in template_files()}
    assert {"base.html", "login.html", "overview.html"} <= names


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_no_template_needs_inline_script_or_style(path):
    text = path.read_text()
    found = [(what, pattern.search(text).group(0)) for pattern, what in INLINE if pattern.search(text)]

    assert not found, f"{path.relative_to(PROJECT_ROOT)} has {found}"


def test_htmx_is_configured_without_eval():
    base = (PROJECT_ROOT / "templates" / "base.html").read_text()
    assert '"allowEval": false' in base
    assert '"allowScriptTags": false' in base


# --- No AWS secret stored anywhere -----------------------------------------------------------------------------

SECRET_NAME = re.compile(r"secret|access_?key|session_?token|password|credential|private_?key", re.I)
ALLOWED_SECRET_FIELDS = {
    ("auth", "user", "password"),  # Django's salted password hash of a dashboard user
    ("api", "apitoken", "secret_hash"),  # the SHA-256 of a Posture API token (never an AWS credential)
}


def test_no_model_has_a_field_for_aws_credentials():
    suspicious = [
        (model._meta.app_label, model._meta.model_name, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if SECRET_NAME.search(field.name)
    ]

    assert set(suspicious) <= ALLOWED_SECRET_FIELDS, suspicious


def test_an_account_holds_only_a_role_and_an_external_id():
    from accounts.models import AwsAccount

    names = {field.name for field in AwsAccount._meta.get_fields()}
    assert {"role_arn", "external_id"} <= names
    assert not {name for name in names if re.search(r"key|secret|token", name)}


def test_sessions_module_never_writes_credentials_to_the_database():
    source = (PROJECT_ROOT / "accounts" / "sessions.py").read_text()
    tree = ast.parse(source)
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.startswith(("django.db", "django.core.cache", "accounts.models"))}
    assert not re.search(r"\.objects\b|\.save\(|\bconnection\b", source)
    assert not re.search(r"cache\.(set|add)", source)
    assert "_credential_cache" in source  # credentials live in this process's memory only


@pytest.mark.django_db
def test_a_scan_leaves_no_credentials_in_the_database(aws, monkeypatch):
    """After a scan through an assumed role, no table holds the temporary secret key."""
    from django.db import connection

    from accounts import sessions
    from accounts.tests.factories import AwsAccountFactory
    from checks import scanning
    from checks.collectors import sqs
    from checks.models import Scan

    captured = {}
    real = sessions.assume_role_session

    def spy(role_arn, external_id="", **kwargs):
        made = real(role_arn, external_id, **kwargs)
        captured["secret"] = made.get_credentials().secret_key
        return made

    monkeypatch.setattr(sessions, "assume_role_session", spy)
    account = AwsAccountFactory(
        account_id=aws.account_id, role_arn=f"arn:aws:iam::{aws.account_id}:role/Audit", external_id="an-external-id"
    )
    scanning.run_scan(Scan.queue(account, Scan.Trigger.CLI), collectors=[sqs])

    assert captured["secret"]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert captured["secret"] not in repr(row), f"the secret key is stored in {table}"
