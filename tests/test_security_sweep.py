"""Roles are enforced on the server for every routed view: a signed-in user one role below what a view
declares gets 403, and a user with no role at all gets 403 everywhere a role is needed.

API routes are asked with a Bearer token of the user (the API takes no session), and answer 403 JSON alike.

The routes come from test_urls_require_sign_in's walk of the URL conf (which also asserts every protected
view declares its role), so a new page is swept the moment it is routed.
"""

import pytest
from django.contrib.auth.models import Group, User

from api import tokens
from dashboard.permissions import ROLES, VIEWER
from tests import test_urls_require_sign_in as urlconf

ROLE_ROUTES = [route for route in urlconf.PROTECTED if getattr(route.callback, "required_role", None)]


def one_below(role):
    index = ROLES.index(role)
    return ROLES[index - 1] if index else None


@pytest.fixture
def signed_in(db, client):
    def as_role(role):
        user = User.objects.create_user(username=f"user-{role or 'none'}", password="a-long-test-password")  # noqa: S106
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        client.force_login(user)
        client.api_token = tokens.issue(user, "sweep")[1]
        return client

    return as_role


def request(client, route, **headers):
    """GET the route; a view that only takes POST is asked with POST (as its form would). API routes get
    the user's token."""
    if route.is_api:
        headers["Authorization"] = f"Bearer {client.api_token}"
    response = client.get(route.url, headers=headers)
    if response.status_code == 405:
        response = client.post(route.url, {}, headers=headers)
    return response


def test_the_sweep_covers_every_role():
    declared = {route.callback.required_role for route in ROLE_ROUTES}
    assert VIEWER in declared
    assert len(ROLE_ROUTES) >= 10


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=urlconf.url_id)
def test_a_user_one_role_below_the_view_gets_403(signed_in, route):
    below = one_below(route.callback.required_role)

    response = request(signed_in(below), route)

    assert response.status_code == 403, f"{route.url} needs {route.callback.required_role}; {below} got in"


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=urlconf.url_id)
def test_a_user_without_any_role_gets_403(signed_in, route):
    assert request(signed_in(None), route).status_code == 403


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=urlconf.url_id)
def test_an_htmx_request_below_the_role_gets_403_too(signed_in, route):
    client = signed_in(one_below(route.callback.required_role))

    response = request(client, route, **{"HX-Request": "true"})

    assert response.status_code == 403
