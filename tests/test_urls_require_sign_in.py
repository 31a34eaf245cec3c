"""Every URL in the URL conf asks an anonymous visitor to sign in — found by walking the conf, so new pages
are covered the moment they are routed.

The JSON API (/api/, namespace "api") signs in with a Bearer token, never a session: an anonymous request
there gets a 401 JSON answer naming the Bearer scheme instead of a redirect.

Exceptions, each tested on its own: the sign-in page and single sign-on's two steps, /healthz, static files
(served by WhiteNoise, not routed) and Django's admin (its site views send anonymous visitors to the admin
sign-in page, its model views are caught by our sign-in middleware first — either way nothing is served).
"""

import itertools
import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

# Values tried, in order, for each URL parameter; the first one the parameter's regex accepts is used.
SAMPLE_VALUES = ("1", "x", "123456789012", str(uuid.UUID(int=1)), "2026-06-30", "s3.bucket_default_encryption")

# Sign-in itself (with single sign-on's start and its callback from the provider: 404 while SSO is off, tested in
# dashboard/tests/test_sso.py) and the health probe a load balancer calls.
PUBLIC = {"login", "oidc_authentication_init", "oidc_authentication_callback", "healthz"}
# Views that need a signed-in user but no particular role: anyone may sign out or change their own password.
NO_ROLE_NEEDED = {
    "logout": "any signed-in user may sign out",
    "password_change": "any signed-in user may change their own password",
    "password_change_done": "the confirmation page of the above",
}


@dataclass(frozen=True)
class Route:
    url: str
    name: str  # namespaced, e.g. "dashboard:overview"; "" for unnamed patterns
    namespaces: tuple
    callback: object

    @property
    def is_admin(self):
        return self.namespaces[:1] == ("admin",)

    @property
    def is_api(self):
        return self.namespaces[:1] == ("api",)


def fill(pattern, extra_values):
    """A concrete piece of URL for one pattern, or None when no sample value fits its parameters."""
    if isinstance(pattern, RoutePattern):
        return fill_route(pattern)
    assert isinstance(pattern, RegexPattern), f"unknown pattern type {type(pattern)}"
    template, params = normalize(str(pattern))[0]
    for values in itertools.product((*SAMPLE_VALUES, *extra_values), repeat=len(params)):
        piece = template % dict(zip(params, values, strict=True))
        match = pattern.regex.match(piece)
        if match and match.end() == len(piece):
            return piece
    return None


def fill_route(pattern):
    def sample(match):
        converter = pattern.converters[match["name"]]
        return next((value for value in SAMPLE_VALUES if re.fullmatch(converter.regex, value)), None) or "?"

    return re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", sample, str(pattern))


def routes(patterns=None, prefix="", namespaces=()):
    """Every endpoint of the URL conf as a concrete URL, recursing into include()s."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        # Literal words in a regex (an admin app label, say) are candidate values for its parameters.
        words = re.findall(r"[A-Za-z_][\w-]*", str(entry.pattern)) if isinstance(entry.pattern, RegexPattern) else ()
        piece = fill(entry.pattern, words)
        assert piece is not None, f"No sample value fits {entry.pattern!r}: extend SAMPLE_VALUES in {__name__}."
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from routes(entry.url_patterns, prefix + piece, inner)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route("/" + prefix + piece, name, namespaces, entry.callback)


ALL_ROUTES = list(routes())
PROTECTED = [route for route in ALL_ROUTES if route.name not in PUBLIC and not route.is_admin]
ADMIN = [route for route in ALL_ROUTES if route.is_admin and route.name != "admin:login"]
PAGES = [route for route in PROTECTED if not route.is_api]
API = [route for route in PROTECTED if route.is_api]


def url_id(route):
    return route.url


def test_the_sweep_sees_the_product_pages():
    names = {route.name for route in PROTECTED}
    assert {"dashboard:overview", "accounts:list", "logout", "password_change"} <= names
    assert {route.name for route in ALL_ROUTES} >= PUBLIC | {"admin:login"}


@pytest.mark.parametrize("route", ALL_ROUTES, ids=url_id)
def test_sample_url_resolves_to_its_own_view(route):
    match = resolve(route.url)

    assert match.func is route.callback, f"{route.url} resolved to {match.view_name}, not {route.name}"


@pytest.mark.parametrize("route", PAGES, ids=url_id)
def test_anonymous_page_request_is_sent_to_sign_in(client, route):
    response = client.get(route.url)

    assert response.status_code == 302, route.url
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [route.url]


@pytest.mark.parametrize("route", PAGES, ids=url_id)
def test_anonymous_htmx_request_gets_401_and_where_to_sign_in(client, route):
    response = client.get(route.url, headers={"HX-Request": "true"})

    assert response.status_code == 401, route.url
    assert urlsplit(response["HX-Redirect"]).path == reverse("login")


@pytest.mark.parametrize("route", PROTECTED, ids=url_id)
def test_every_protected_view_declares_its_role(route):
    if route.name in NO_ROLE_NEEDED:
        assert not hasattr(route.callback, "required_role")
        return
    assert getattr(route.callback, "required_role", None), (
        f"{route.url} ({route.name or 'unnamed'}) has no @role_required: decorate the view, "
        "or add it to NO_ROLE_NEEDED with the reason."
    )


def test_the_sweep_sees_the_api():
    assert {"api:findings", "api:openapi", "api:reports"} <= {route.name for route in API}


@pytest.mark.parametrize("route", API, ids=url_id)
def test_anonymous_api_request_gets_401_json_naming_the_bearer_scheme(client, route):
    response = client.get(route.url)

    assert response.status_code == 401, route.url
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


@pytest.mark.parametrize("route", API, ids=url_id)
def test_a_session_does_not_open_the_api(db, client, route):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))  # noqa: S106

    assert client.get(route.url).status_code == 401, route.url


@pytest.mark.parametrize("route", ADMIN, ids=url_id)
def test_anonymous_admin_request_ends_on_a_sign_in_page(client, route):
    response = client.get(route.url, follow=True)

    assert response.redirect_chain, route.url
    final = urlsplit(response.redirect_chain[-1][0]).path
    assert final in {reverse("admin:login"), reverse("login")}, route.url
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_sign_in_page_is_public(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_static_files_need_no_sign_in(client, settings):
    # pytest-django runs with DEBUG off, so let WhiteNoise find files in static/ as it does after collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
