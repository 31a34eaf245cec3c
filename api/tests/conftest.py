"""API fixtures: users by role with a token each, and a client that sends it."""

import pytest
from django.test import Client

from accounts.tests.factories import make_user
from api import tokens


class TokenClient(Client):
    """A test client that sends `Authorization: Bearer <secret>` on every request (and no session)."""

    def __init__(self, secret, **kwargs):
        super().__init__(headers={"Authorization": f"Bearer {secret}"}, **kwargs)
        self.secret = secret


@pytest.fixture
def api_as(db):
    """api_as("viewer") → a TokenClient for a fresh user of that role; .token and .user are attached.
    teams=[...]: the user sees only those teams' accounts; team_scope=[...]: the token is narrowed to those teams.
    Other keywords go to tokens.issue (role=, accounts=, days=).
    """
    made = []

    def build(owner_role, username=None, teams=None, team_scope=(), **kwargs):
        user = make_user(username or f"{owner_role}-api-{len(made)}", owner_role, teams)
        token, secret = tokens.issue(user, "test token", teams=team_scope, **kwargs)
        client = TokenClient(secret)
        client.token, client.user = token, user
        made.append(client)
        return client

    return build
