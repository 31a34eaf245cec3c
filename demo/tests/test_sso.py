"""The demo's single sign-on: the launcher's provider configuration and variables, and Dana's sign-in through
the demo provider process, as `make demo` wires them."""

import json
import stat
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts.tests.factories import AwsAccountFactory
from accounts.visibility import visible_accounts
from dashboard import sso_settings
from dashboard.permissions import role_of
from demo import run, sso
from tests.oidc import free_port, sign_in, start_provider


@pytest.fixture
def launcher_files(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SSO_CONFIG", tmp_path / "demo-sso.json")
    monkeypatch.setattr(run, "SSO_SECRET_FILE", tmp_path / "demo-sso-client-secret")
    monkeypatch.delenv("POSTURE_OIDC_ISSUER", raising=False)
    return tmp_path


def test_the_launcher_configures_the_provider_and_posture_alike(launcher_files):
    env = run.single_sign_on(5056, 8000)

    config = json.loads(run.SSO_CONFIG.read_text())
    assert config["issuer"] == env["POSTURE_OIDC_ISSUER"] == "http://127.0.0.1:5056"
    assert config["redirect_uris"] == ["http://127.0.0.1:8000/oidc/callback/", "http://localhost:8000/oidc/callback/"]
    assert config["client_secret"] == env["POSTURE_OIDC_CLIENT_SECRET"] == run.SSO_SECRET_FILE.read_text().strip()
    assert stat.S_IMODE(run.SSO_SECRET_FILE.stat().st_mode) == 0o600
    assert run.single_sign_on(5056, 8000)["POSTURE_OIDC_CLIENT_SECRET"] == config["client_secret"]  # kept
    settings = sso_settings.read(env, debug=True)  # the start-up checks accept it (the demo runs with DEBUG)
    assert settings["SSO_PROVIDER_NAME"] == "Demo SSO"
    assert settings["SSO_GROUP_TEAMS"] == {"payments-engineers": ["payments"], "data-engineers": ["data"]}
    with pytest.raises(ImproperlyConfigured, match="must use https"):
        sso_settings.read(env, debug=False)


def test_a_provider_of_the_users_own_is_left_alone(launcher_files, monkeypatch):
    monkeypatch.setenv("POSTURE_OIDC_ISSUER", "https://idp.example.com")

    assert run.single_sign_on(5056, 8000) == {}
    assert not run.SSO_CONFIG.exists()


@pytest.mark.django_db(transaction=True)
def test_dana_signs_in_with_demo_sso_and_sees_payments_prod_only(settings, tmp_path, live_server):
    web_port, sso_port = urlparse(live_server.url).port, free_port()
    sso.write_provider_config(tmp_path / "demo-sso.json", sso_port, web_port, "demo-client-secret")
    for name, value in sso_settings.read(sso.environment(sso_port, "demo-client-secret"), debug=True).items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    cache.clear()
    payments = AwsAccountFactory(name="payments-prod", labels={"env": "prod", "team": "payments"})
    AwsAccountFactory(name="analytics-prod", labels={"env": "prod", "team": "data"})
    AwsAccountFactory(name="sandbox-dev", labels={"env": "dev", "team": "engineering"})
    sso.give_teams_their_accounts()
    provider = start_provider(sso_port, tmp_path / "demo-sso.json")
    try:
        browser, answer = sign_in(live_server.url, "Demo SSO")
    finally:
        provider.terminate()
        provider.wait(timeout=10)

    assert answer.status_code == 200 and urlparse(answer.url).path == "/"
    dana = User.objects.get(username=sso.PERSON["email"])
    assert role_of(dana) == "operator"
    assert list(visible_accounts(dana)) == [payments]
