"""Single sign-on against a real OpenID Connect provider process (demo/sso_provider.py, Authlib) on 127.0.0.1.

Posture runs as pytest-django's live server; a requests session plays the browser and follows real
redirects from Posture to the provider and back. The provider signs real RS256 tokens with a key it
generates at start, and Posture checks them against the provider's JWKS.
"""

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth.models import Group, User

from accounts.tests.factories import AwsAccountFactory, TeamFactory
from accounts.visibility import visible_accounts
from dashboard import sso_settings
from dashboard.models import AuditEntry, SsoIdentity
from dashboard.permissions import role_of
from tests import oidc
from tests.oidc import free_port, start_provider

CLIENT_ID = "posture-tests"
CLIENT_SECRET = "provider-shared-secret-for-tests"
PROVIDER_NAME = "Test IdP"
ALICE = {
    "sub": "00u-alice-1",
    "email": "alice@example.com",
    "name": "Alice Example",
    "preferred_username": "alice",
    "groups": ["posture-admins", "everyone"],
}


class Provider:
    """The provider process and its configuration file (read again on every request)."""

    def __init__(self, folder):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.path = folder / "provider.json"
        self.configure(redirect_uris=[])
        self.process = start_provider(self.port, self.path)

    def configure(self, redirect_uris, person=ALICE, sign_with_unpublished_key=False, **id_token):
        config = {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
            "person": person,
            "sign_with_unpublished_key": sign_with_unpublished_key,
            **id_token,
        }
        self.path.write_text(json.dumps(config))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def provider_process(tmp_path_factory):
    provider = Provider(tmp_path_factory.mktemp("sso"))
    yield provider
    provider.stop()


@pytest.fixture
def provider(provider_process, live_server):
    """The provider, with Posture (the live server) as its one client and Alice as the person it approves."""
    provider_process.redirect_uris = [f"{live_server.url}/oidc/callback/"]
    provider_process.configure(provider_process.redirect_uris)
    return provider_process


def sso_environment(issuer, **variables):
    return {
        "POSTURE_OIDC_ISSUER": issuer,
        "POSTURE_OIDC_CLIENT_ID": CLIENT_ID,
        "POSTURE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "POSTURE_OIDC_PROVIDER_NAME": PROVIDER_NAME,
        "POSTURE_OIDC_SCOPES": "openid email profile groups",
        "POSTURE_OIDC_GROUP_ROLES": "posture-admins=admin,posture-auditors=auditor,posture-viewers=viewer",
        **variables,
    }


def configure_posture(settings, issuer, **variables):
    for name, value in sso_settings.read(sso_environment(issuer, **variables), debug=True).items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    from django.core.cache import cache

    cache.clear()  # the discovery document of another test's provider


@pytest.fixture
def posture(settings, provider):
    configure_posture(settings, provider.issuer)
    return settings


def sign_in(base_url, next_path="/"):
    return oidc.sign_in(base_url, PROVIDER_NAME, next_path)


def session_user_id(browser):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=browser.cookies["sessionid"]).get_decoded()["_auth_user_id"]


transactional = pytest.mark.django_db(transaction=True)


@transactional
def test_sign_in_through_the_provider_creates_the_person_with_the_mapped_role(posture, provider, live_server):
    browser, answer = sign_in(live_server.url, next_path="/findings/")

    hops = [urlparse(step.headers["Location"]) for step in answer.history]
    assert [hop.port for hop in hops[:2]] == [provider.port, urlparse(live_server.url).port]  # to the provider and back
    assert hops[0].path == "/authorize" and hops[1].path == "/oidc/callback/"
    authorize = parse_qs(hops[0].query)
    assert authorize["client_id"] == [CLIENT_ID] and authorize["code_challenge_method"] == ["S256"]
    assert authorize["state"][0] and authorize["nonce"][0]
    assert answer.status_code == 200 and urlparse(answer.url).path == "/findings/"
    user = User.objects.get(pk=session_user_id(browser))
    assert (user.username, user.email, role_of(user)) == ("alice@example.com", "alice@example.com", "admin")
    identity = SsoIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (provider.issuer, ALICE["sub"])
    assert not user.has_usable_password()
    assert ">Password</a>" not in answer.text  # their password lives at the provider
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN)
    assert entry.username == "alice@example.com"
    assert entry.details == {
        "method": "sso",
        "provider": PROVIDER_NAME,
        "roles": ["admin"],
        "teams": [],
        "created": True,
    }


@transactional
def test_a_changed_groups_claim_changes_the_role_at_the_next_sign_in(posture, provider, live_server):
    sign_in(live_server.url)
    alice = User.objects.get(username="alice@example.com")
    alice.groups.add(Group.objects.get_or_create(name="other-group")[0])  # not a role: left alone
    assert role_of(alice) == "admin"

    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-viewers"]})
    browser, answer = sign_in(live_server.url)

    assert answer.status_code == 200
    alice = User.objects.get(username="alice@example.com")
    assert role_of(alice) == "viewer"
    assert sorted(alice.groups.values_list("name", flat=True)) == ["other-group", "viewer"]
    assert User.objects.count() == 1  # the same person: found by the provider's subject
    latest = AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN).first()
    assert latest.details["roles"] == ["viewer"] and latest.details["roles_were"] == ["admin"]
    assert browser.get(f"{live_server.url}/audit/", timeout=10).status_code == 403  # admin pages are gone

    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["everyone"]})
    browser, answer = sign_in(live_server.url)

    assert urlparse(answer.url).path == "/login/"
    assert "you are in no group that gives a Posture role" in answer.text
    assert role_of(User.objects.get(username="alice@example.com")) is None  # the group is gone: so is the role
    assert browser.get(f"{live_server.url}/", timeout=10, allow_redirects=False).status_code == 302


@transactional
def test_teams_and_all_accounts_follow_the_groups_claim(settings, provider, live_server):
    configure_posture(
        settings,
        provider.issuer,
        POSTURE_OIDC_GROUP_TEAMS="payments-eng=payments,hr-eng=people",
        POSTURE_OIDC_ALL_ACCOUNTS_GROUPS="security",
    )
    payments_account, sandbox_account, other_account = AwsAccountFactory.create_batch(3)
    TeamFactory(name="payments").accounts.add(payments_account)
    sandbox = TeamFactory(name="sandbox")  # joined by hand: the mapping never names it
    sandbox.accounts.add(sandbox_account)
    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-viewers", "payments-eng"]})
    sign_in(live_server.url)
    alice = User.objects.get(username="alice@example.com")
    sandbox.members.add(alice)

    assert set(visible_accounts(alice)) == {payments_account, sandbox_account}
    assert AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN).details["teams"] == ["payments"]

    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-viewers", "hr-eng"]})
    sign_in(live_server.url)
    alice = User.objects.get(username="alice@example.com")

    assert sorted(alice.teams.values_list("name", flat=True)) == ["people", "sandbox"]  # "people" made, empty
    assert set(visible_accounts(alice)) == {sandbox_account}

    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-viewers", "security"]})
    sign_in(live_server.url)
    alice = User.objects.get(username="alice@example.com")

    assert set(visible_accounts(alice)) == {payments_account, sandbox_account, other_account}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN).first().details["all_accounts"] is True


@transactional
def test_deactivating_a_person_ends_their_session_and_refuses_their_next_sign_in(posture, provider, live_server):
    browser, answer = sign_in(live_server.url)
    assert browser.get(f"{live_server.url}/", timeout=10, allow_redirects=False).status_code == 200

    User.objects.filter(username="alice@example.com").update(is_active=False)

    assert browser.get(f"{live_server.url}/", timeout=10, allow_redirects=False).status_code == 302
    browser, answer = sign_in(live_server.url)
    assert urlparse(answer.url).path == "/login/" and "your Posture user is deactivated" in answer.text


@transactional
def test_superusers_follow_their_groups_and_reach_the_admin_through_sso(settings, provider, live_server):
    configure_posture(
        settings, provider.issuer, POSTURE_OIDC_SUPERUSER_GROUPS="posture-root", POSTURE_LOCAL_PASSWORDS="false"
    )
    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-root"]})  # no role group

    browser = requests.Session()
    to_sign_in = browser.get(f"{live_server.url}/admin/", timeout=10)
    link = re.search(r'href="(/oidc/authenticate/[^"]*)"', to_sign_in.text).group(1).replace("&amp;", "&")
    admin = browser.get(live_server.url + link, timeout=30)

    assert urlparse(admin.url).path == "/admin/" and admin.status_code == 200
    alice = User.objects.get(username="alice@example.com")
    assert alice.is_superuser and alice.is_staff and role_of(alice) == "admin"
    assert AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN).details["superuser"] is True

    provider.configure(provider.redirect_uris, person={**ALICE, "groups": ["posture-viewers"]})
    sign_in(live_server.url)
    alice = User.objects.get(username="alice@example.com")
    assert not alice.is_superuser and not alice.is_staff and role_of(alice) == "viewer"


@transactional
def test_people_in_no_mapped_group_get_the_default_role_when_one_is_set(settings, provider, live_server):
    configure_posture(settings, provider.issuer, POSTURE_OIDC_DEFAULT_ROLE="viewer")
    provider.configure(provider.redirect_uris, person={**ALICE, "groups": []})

    browser, answer = sign_in(live_server.url)

    assert answer.status_code == 200 and urlparse(answer.url).path == "/"
    assert role_of(User.objects.get(username="alice@example.com")) == "viewer"


@transactional
def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(posture, provider, live_server):
    provider.configure(provider.redirect_uris, sign_with_unpublished_key=True)

    browser, answer = sign_in(live_server.url)

    assert answer.status_code == 200 and urlparse(answer.url).path == "/login/"
    assert "signature does not match Test IdP&#x27;s published keys" in answer.text
    assert not User.objects.exists()
    assert "sessionid" not in browser.cookies or session_user_id_or_none(browser) is None
    failure = AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN_FAILED)
    assert failure.details["method"] == "sso" and "signature" in failure.details["reason"]


def session_user_id_or_none(browser):
    from django.contrib.sessions.models import Session

    session = Session.objects.filter(session_key=browser.cookies.get("sessionid")).first()
    return session.get_decoded().get("_auth_user_id") if session else None


@transactional
@pytest.mark.parametrize(
    ("lie", "reason"),
    [
        ({"id_token_audience": "another-client"}, "Audience doesn"),
        ({"id_token_issuer": "https://impostor.example.com"}, "Invalid issuer"),
        ({"id_token_lifetime_seconds": -300}, "Signature has expired"),
    ],
    ids=["audience", "issuer", "expired"],
)
def test_a_well_signed_token_for_someone_else_or_out_of_date_is_refused(posture, provider, live_server, lie, reason):
    provider.configure(provider.redirect_uris, **lie)

    browser, answer = sign_in(live_server.url)

    assert urlparse(answer.url).path == "/login/"
    assert "the token from Test IdP is not valid" in answer.text
    assert reason in AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN_FAILED).details["reason"]
    assert not User.objects.exists()


@transactional
def test_missing_claims_are_refused_with_a_message(settings, provider, live_server):
    configure_posture(settings, provider.issuer)
    provider.configure(provider.redirect_uris, person={key: ALICE[key] for key in ("sub", "name", "groups")})

    browser, answer = sign_in(live_server.url)

    assert urlparse(answer.url).path == "/login/"
    assert "Test IdP sent no &#x27;email&#x27; claim" in answer.text
    assert not User.objects.exists()


@transactional
def test_a_local_user_of_the_same_name_is_not_taken_over(posture, provider, live_server):
    User.objects.create_user("alice@example.com", password="a-long-local-password")

    browser, answer = sign_in(live_server.url)

    assert urlparse(answer.url).path == "/login/"
    assert "already exists and was not made by Test IdP" in answer.text
    assert not SsoIdentity.objects.exists()


@transactional
def test_a_forged_or_replayed_callback_shows_a_message_not_an_error(posture, provider, live_server):
    browser = requests.Session()
    browser.get(f"{live_server.url}/login/", timeout=10)
    start = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10, allow_redirects=False)
    callback = requests.get(start.headers["Location"], timeout=10, allow_redirects=False).headers["Location"]

    forged = browser.get(re.sub(r"state=[^&]+", "state=forged", callback), timeout=10)
    assert forged.status_code == 200 and urlparse(forged.url).path == "/login/"
    assert "could not be verified" in forged.text

    used = browser.get(callback, timeout=10)  # the real answer, still unused: signs in
    assert urlparse(used.url).path == "/"
    browser.post(f"{live_server.url}/logout/", timeout=10)  # no CSRF cookie: refused, but harmless here
    replayed = requests.Session().get(callback, timeout=10)  # another browser, no state in its session
    assert urlparse(replayed.url).path == "/login/"
    assert "expired or was started in another browser" in replayed.text


@pytest.mark.django_db
def test_a_flood_of_forged_callbacks_does_not_fill_the_audit_log(settings, client):
    configure_posture(settings, "https://idp.example.com")
    settings.SIGNIN_MAX_FAILURES_PER_ADDRESS = 3

    answers = [client.get("/oidc/callback/", {"code": "x", "state": f"forged-{n}"}) for n in range(6)]

    assert {answer.status_code for answer in answers} == {302}
    assert all(answer["Location"] == "/login/" for answer in answers)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN_FAILED).count() == 3


@transactional
def test_the_provider_refusing_shows_its_error(posture, provider, live_server):
    browser = requests.Session()
    browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10, allow_redirects=False)
    state = next(iter(session_of(browser)["oidc_states"]))

    answer = browser.get(
        f"{live_server.url}/oidc/callback/",
        params={"error": "access_denied", "error_description": "The user cancelled", "state": state},
        timeout=10,
    )

    assert urlparse(answer.url).path == "/login/"
    assert "Test IdP answered access_denied: The user cancelled." in answer.text


def session_of(browser):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=browser.cookies["sessionid"]).get_decoded()


@transactional
def test_a_provider_that_does_not_answer_shows_a_message(settings, live_server):
    configure_posture(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there

    answer = requests.get(f"{live_server.url}/oidc/authenticate/", timeout=30)

    assert answer.status_code == 200 and urlparse(answer.url).path == "/login/"
    assert "Test IdP could not be reached" in answer.text
    assert AuditEntry.objects.get(action=AuditEntry.Action.SIGN_IN_FAILED).details["method"] == "sso"


@transactional
def test_a_discovery_document_naming_another_issuer_is_refused(settings, provider, live_server):
    configure_posture(settings, provider.issuer + "/")  # not the provider's issuer: tokens would not match it

    answer = requests.get(f"{live_server.url}/oidc/authenticate/", timeout=30)

    assert urlparse(answer.url).path == "/login/"
    assert "discovery document does not name the configured issuer" in answer.text


@transactional
def test_a_fixed_redirect_uri_is_the_one_sent_to_the_provider(settings, provider, live_server):
    callback = f"{live_server.url}/oidc/callback/"
    configure_posture(settings, provider.issuer, POSTURE_OIDC_REDIRECT_URI=callback)
    browser = requests.Session()

    start = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10, allow_redirects=False)
    assert parse_qs(urlparse(start.headers["Location"]).query)["redirect_uri"] == [callback]
    answer = browser.get(start.headers["Location"], timeout=30)  # the token request must name it too
    assert answer.status_code == 200 and urlparse(answer.url).path == "/"


@transactional
def test_with_local_passwords_off_the_page_offers_only_sso_and_refuses_a_password(settings, provider, live_server):
    configure_posture(settings, provider.issuer, POSTURE_LOCAL_PASSWORDS="false")
    User.objects.create_user("bob", password="a-long-local-password")
    browser = requests.Session()

    page = browser.get(f"{live_server.url}/login/", timeout=10)
    assert "Sign in with Test IdP" in page.text
    assert 'name="password"' not in page.text
    token = browser.cookies.get("csrftoken") or browser.get(f"{live_server.url}/login/").cookies["csrftoken"]
    refused = browser.post(
        f"{live_server.url}/login/",
        data={"username": "bob", "password": "a-long-local-password", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/login/"},
        timeout=10,
    )
    assert refused.status_code == 403 and "Password sign-in is turned off" in refused.text
    assert browser.get(f"{live_server.url}/", timeout=10, allow_redirects=False).status_code == 302
    admin_page = browser.get(f"{live_server.url}/admin/login/?next=/admin/auth/user/", timeout=10)
    assert urlparse(admin_page.url).path == "/login/" and "next=/admin/auth/user/" in admin_page.url
    admin = browser.post(
        f"{live_server.url}/admin/login/",
        data={"username": "bob", "password": "a-long-local-password", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{live_server.url}/admin/login/"},
        timeout=10,
    )
    assert "sessionid" not in browser.cookies, admin.text  # the admin's form is not there to take a password

    browser, answer = sign_in(live_server.url)
    assert urlparse(answer.url).path == "/" and answer.status_code == 200


@pytest.mark.django_db
def test_local_passwords_still_work_and_are_throttled_beside_sso(settings, client):
    configure_posture(settings, "https://idp.example.com")
    User.objects.create_user("carol", password="a-long-local-password")

    assert client.post("/login/", {"username": "carol", "password": "a-long-local-password"}).status_code == 302
    client.post("/logout/")
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        client.post("/login/", {"username": "carol", "password": "wrong-password"})
    locked = client.post("/login/", {"username": "carol", "password": "a-long-local-password"})
    assert locked.status_code == 429


@pytest.mark.django_db
def test_the_login_page_names_the_provider_only_when_sso_is_configured(settings, client):
    assert "Sign in with" not in client.get("/login/").text
    assert client.get("/oidc/authenticate/").status_code == 404

    configure_posture(settings, "https://idp.example.com")
    page = client.get("/login/?next=/findings/").text

    assert 'href="/oidc/authenticate/?next=/findings/">Sign in with Test IdP</a>' in page
    assert 'name="password"' in page


# --- start-up checks of the variables (pure) ---------------------------------------------------------


def read(debug=False, **variables):
    return sso_settings.read(sso_environment("https://idp.example.com", **variables), debug=debug)


def test_the_group_mappings_are_read_into_roles_and_teams():
    settings = read(
        POSTURE_OIDC_GROUP_ROLES=" posture-admins=admin , ops=operator,ops=viewer",
        POSTURE_OIDC_GROUP_TEAMS="payments-eng=payments,payments-eng=billing,hr=people",
    )

    assert settings["SSO_GROUP_ROLES"] == {"posture-admins": ["admin"], "ops": ["operator", "viewer"]}
    assert settings["SSO_GROUP_TEAMS"] == {"payments-eng": ["payments", "billing"], "hr": ["people"]}
    assert settings["AUTHENTICATION_BACKENDS"][0] == sso_settings.SSO_BACKEND
    assert settings["OIDC_USE_NONCE"] and settings["OIDC_USE_PKCE"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"POSTURE_OIDC_GROUP_ROLES": "posture-admins=root"}, "'root' is not one of viewer, auditor"),
        ({"POSTURE_OIDC_GROUP_ROLES": "posture-admins"}, "'posture-admins' is not group=value"),
        ({"POSTURE_OIDC_GROUP_TEAMS": "a=b,,c=d"}, "POSTURE_OIDC_GROUP_TEAMS has an empty item"),
        ({"POSTURE_OIDC_GROUP_TEAMS": "a=no/slashes"}, "POSTURE_OIDC_GROUP_TEAMS: A team name is 1 to 64"),
        ({"POSTURE_OIDC_ALL_ACCOUNTS_GROUPS": "security,"}, "POSTURE_OIDC_ALL_ACCOUNTS_GROUPS must be group names"),
        ({"POSTURE_OIDC_SUPERUSER_GROUPS": ",root"}, "POSTURE_OIDC_SUPERUSER_GROUPS must be group names"),
        ({"POSTURE_OIDC_CLIENT_SECRET": ""}, "POSTURE_OIDC_CLIENT_SECRET are required"),
        ({"POSTURE_OIDC_ISSUER": "http://idp.example.com"}, "POSTURE_OIDC_ISSUER must use https://"),
        ({"POSTURE_OIDC_TOKEN_ENDPOINT": "http://idp.example.com/token"}, "POSTURE_OIDC_TOKEN_ENDPOINT must use"),
        ({"POSTURE_OIDC_SIGNING_ALGORITHM": "HS256"}, "POSTURE_OIDC_SIGNING_ALGORITHM must be one of RS256"),
        ({"POSTURE_OIDC_DEFAULT_ROLE": "boss"}, "POSTURE_OIDC_DEFAULT_ROLE must be empty"),
        ({"POSTURE_OIDC_SCOPES": "email profile"}, "POSTURE_OIDC_SCOPES must include openid"),
        ({"POSTURE_LOCAL_PASSWORDS": "maybe"}, "POSTURE_LOCAL_PASSWORDS must be true or false"),
        ({"POSTURE_OIDC_REDIRECT_URI": "https://posture.example.com/elsewhere/"}, "ending /oidc/callback/"),
    ],
)
def test_a_wrong_variable_stops_start_up_with_its_name(variables, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        read(**variables)


def test_an_id_token_must_name_the_issuer_exactly_except_for_googles_documented_alias():
    from dashboard.sso import token_issuers

    assert token_issuers("https://idp.example.com/") == ["https://idp.example.com/"]
    assert token_issuers("https://accounts.google.com") == ["https://accounts.google.com", "accounts.google.com"]


def test_plain_http_is_accepted_only_with_debug():
    assert read(debug=True, POSTURE_OIDC_ISSUER="http://127.0.0.1:5056")["SSO_ISSUER"] == "http://127.0.0.1:5056"


def test_turning_off_local_passwords_needs_sso():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="needs single sign-on"):
        sso_settings.read({"POSTURE_LOCAL_PASSWORDS": "false"}, debug=False)
    no_passwords = [sso_settings.SSO_BACKEND, sso_settings.THROTTLE]
    assert read(POSTURE_LOCAL_PASSWORDS="false")["AUTHENTICATION_BACKENDS"] == no_passwords
    passwords_only = [sso_settings.THROTTLE, sso_settings.PASSWORDS]
    assert sso_settings.read({}, debug=False)["AUTHENTICATION_BACKENDS"] == passwords_only


def test_every_variable_read_is_listed_for_the_documentation_test():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(sso_settings))
    read_here = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("POSTURE_")
    }
    mentioned_in_messages = {name for name in read_here if " " in name or ":" in name}

    assert read_here - mentioned_in_messages == set(sso_settings.VARIABLES)
