"""`manage.py check --deploy` is clean with production-like variables and no other changes."""

import secrets

from tests.processes import run_manage


def production(tmp_path, **overrides):
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 characters, as the README says to generate it
        "ALLOWED_HOSTS": "posture.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://posture.example.com",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "SQLITE_PATH": str(tmp_path / "posture.sqlite3"),
        **overrides,
    }


def test_deploy_check_is_clean_in_production(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_behind_a_tls_proxy(tmp_path):
    variables = production(tmp_path, BEHIND_TLS_PROXY="true", DB="postgres", DB_HOST="db.internal")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **variables)

    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_flags_debug(tmp_path):
    # The check is only worth something if it can fail: development settings must not pass it.
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production(tmp_path, DEBUG="true"))

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_deploy_check_is_clean_with_single_sign_on_and_no_passwords(tmp_path):
    variables = production(
        tmp_path,
        POSTURE_OIDC_ISSUER="https://idp.example.com/oauth2/default",
        POSTURE_OIDC_CLIENT_ID="posture",
        POSTURE_OIDC_CLIENT_SECRET="a-client-secret-from-the-secret-store",
        POSTURE_OIDC_GROUP_ROLES="posture-admins=admin",
        POSTURE_LOCAL_PASSWORDS="false",
    )
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **variables)
    assert result.returncode == 0, result.stderr


def test_a_plain_http_issuer_stops_production_with_its_name(tmp_path):
    variables = production(
        tmp_path,
        POSTURE_OIDC_ISSUER="http://idp.example.com",
        POSTURE_OIDC_CLIENT_ID="posture",
        POSTURE_OIDC_CLIENT_SECRET="a-client-secret-from-the-secret-store",
    )
    result = run_manage("check", **variables)
    assert result.returncode != 0
    assert "POSTURE_OIDC_ISSUER must use https://" in result.stderr
