"""The token lifecycle: create (shown once, stored hashed), use (recorded), expiry, revocation, rate limit."""

import hashlib
import os
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import AwsAccountFactory, TeamFactory
from api import tokens
from api.models import ApiToken
from api.tests.conftest import TokenClient, make_user
from dashboard.models import AuditEntry

pytestmark = pytest.mark.django_db
ACCOUNTS = "/api/v1/accounts/"


def test_a_token_is_stored_only_as_its_hash(api_as):
    client = api_as("viewer")
    row = ApiToken.objects.values().get(pk=client.token.pk)
    assert client.secret.startswith("pst_") and len(client.secret) > 40
    assert row["secret_hash"] == hashlib.sha256(client.secret.encode()).hexdigest()
    assert client.secret not in str(row)
    assert row["prefix"] == client.secret[:12]


def test_profile_page_shows_a_new_token_once_and_audits_it(client_as):
    client = client_as("viewer")
    response = client.post("/profile/tokens/new/", {"name": "SIEM", "expires_days": "30"})
    token = ApiToken.objects.get(user=client.user)
    secret = response.context["secret"]
    assert response.status_code == 200 and secret in response.text
    assert "no-store" in response["Cache-Control"]
    assert token.secret_hash == tokens.digest(secret) and token.name == "SIEM"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    listing = client.get("/profile/tokens/")
    assert secret not in listing.text and token.prefix in listing.text
    assert AuditEntry.objects.filter(action="token_created", user=client.user).count() == 1
    assert TokenClient(secret).get(ACCOUNTS).status_code == 200


def test_profile_page_narrows_a_token_to_a_team(client_as):
    team = TeamFactory()
    team.accounts.add(AwsAccountFactory(account_id="333333333333"))
    client = client_as("viewer", teams=[team])
    response = client.post("/profile/tokens/new/", {"name": "team", "expires_days": "30", "teams": [team.pk]})
    token = ApiToken.objects.get(user=client.user)
    assert list(token.teams.all()) == [team] and f"team {team.name}" in response.text
    other = TeamFactory()
    refused = client.post("/profile/tokens/new/", {"name": "x", "expires_days": "30", "teams": [other.pk]})
    assert "teams" in refused.context["form"].errors


def test_profile_page_needs_sign_in_and_csrf(client_as):
    assert Client().get("/profile/tokens/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(client_as("viewer").user)
    assert strict.post("/profile/tokens/new/", {"name": "x", "expires_days": "5"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_navigation_links_to_the_tokens_page(client_as):
    assert 'href="/profile/tokens/"' in client_as("viewer").get("/").text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": " ", "expires_days": "30"}, "name"),
        ({"name": "x", "expires_days": "0"}, "expires_days"),
        ({"name": "x", "expires_days": "366"}, "expires_days"),
        ({"name": "x", "expires_days": "30", "role": "admin"}, "role"),
        ({"name": "x", "expires_days": "30", "accounts": ["999999999999"]}, "accounts"),
    ],
)
def test_profile_page_refuses_bad_input_and_keeps_it(client_as, data, field):
    client = client_as("operator")
    response = client.post("/profile/tokens/new/", data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_token_cannot_be_wider_than_its_owner(db):
    viewer = make_user("v", "viewer")
    with pytest.raises(tokens.TokenError, match="cannot hold the operator role"):
        tokens.issue(viewer, "x", role="operator")
    with pytest.raises(tokens.TokenError, match="1 to 365 days"):
        tokens.issue(viewer, "x", days=400)


def test_every_use_is_recorded_with_the_client_address(api_as, settings):
    client = api_as("viewer")
    assert client.token.last_used_at is None
    client.get(ACCOUNTS, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    client.token.refresh_from_db()
    assert client.token.last_used_from == "10.1.2.3"  # not a trusted proxy: its X-Forwarded-For proves nothing
    assert timezone.now() - client.token.last_used_at < timedelta(seconds=5)
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.get(ACCOUNTS, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    client.token.refresh_from_db()
    assert client.token.last_used_from == "203.0.113.9"


def test_an_expired_token_is_refused_with_a_reason(api_as):
    client = api_as("viewer", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = client.get(ACCOUNTS)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_refused_and_the_revocation_audited(api_as, client):
    api = api_as("viewer")
    client.force_login(api.user)
    assert api.get(ACCOUNTS).status_code == 200
    client.post(f"/profile/tokens/{api.token.pk}/revoke/")
    response = api.get(ACCOUNTS)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="token_revoked", user=api.user).count() == 1


def test_nobody_revokes_someone_elses_token(api_as, client_as):
    api = api_as("viewer")
    response = client_as("admin").post(f"/profile/tokens/{api.token.pk}/revoke/")
    assert response.status_code == 404
    assert api.get(ACCOUNTS).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer a b",
        "Bearer not-a-posture-token",
        "Bearer pst_unknown",
        "Basic dXNlcjpwYXNz",
        "Bearer pst_\u00e9",
    ],
)
def test_missing_or_bad_credentials_are_401_json(db, header):
    headers = {"Authorization": header} if header else {}
    response = Client(headers=headers).get(ACCOUNTS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json" and response.json()["detail"]


def test_a_session_alone_does_not_open_the_api(client_as):
    assert client_as("admin").get(ACCOUNTS).status_code == 401


def test_an_inactive_owner_closes_their_tokens(api_as):
    client = api_as("viewer")
    client.user.is_active = False
    client.user.save()
    assert client.get(ACCOUNTS).status_code == 401


@pytest.fixture
def shared_cache(settings):
    """The rate limit counts in Redis (the cache every web worker shares in production)."""
    url = os.environ.get("POSTURE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.mark.redis
def test_each_token_is_rate_limited_with_a_429_json(api_as, settings, shared_cache):
    settings.API_RATE_LIMIT = "3/minute"
    first, second = api_as("viewer"), api_as("viewer")
    assert [first.get(ACCOUNTS).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(ACCOUNTS)
    assert refused.status_code == 429 and "throttled" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert second.get(ACCOUNTS).status_code == 200  # per token, not per address


def test_api_token_command_prints_a_working_token(db, capsys):
    make_user("ops", "auditor")
    AwsAccountFactory()
    call_command("api_token", "ops", "--name", "nightly", "--expires-days", "7")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user__username="ops")
    assert token.name == "nightly" and token.secret_hash == tokens.digest(secret)
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert TokenClient(secret).get(ACCOUNTS).status_code == 200
    assert AuditEntry.objects.filter(action="token_created", username="ops").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No user named 'nobody'"),
        (["ops", "--expires-days", "0"], "between 1 and 365"),
        (["ops", "--expires-days", "soon"], "whole number of days"),
        (["ops", "--role", "admin"], "cannot hold the admin role"),
    ],
)
def test_api_token_command_refuses_bad_input(db, args, message):
    make_user("ops", "viewer")
    with pytest.raises(CommandError, match=message):
        call_command("api_token", *args)
    assert not ApiToken.objects.exists()


def test_a_token_follows_its_owners_role_down(api_as):
    """Narrowed to auditor at creation, the token loses report jobs when its owner drops to viewer."""
    client = api_as("operator", role="auditor")
    assert client.get("/api/v1/reports/").status_code == 200
    client.user.groups.clear()
    client.user.groups.add(Group.objects.get_or_create(name="viewer")[0], Group.objects.get(name="all accounts"))
    assert client.get("/api/v1/reports/").status_code == 403
    assert client.get(ACCOUNTS).status_code == 200
