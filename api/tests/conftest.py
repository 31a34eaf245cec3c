"""API fixtures: users by role with a token each, and a client that sends it."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from accounts.visibility import ALL_ACCOUNTS
from api import tokens


class TokenClient(Client):
    """A test client that sends `Authorization: Bearer <secret>` on every request (and no session)."""

    def __init__(self, secret, **kwargs):
        super().__init__(headers={"Authorization": f"Bearer {secret}"}, **kwargs)
        self.secret = secret


def make_user(username, role, teams=None):
    """A user holding `role`; they see every account (the "all accounts" group) unless `teams` is given."""
    user = User.objects.create_user(username=username, password="a-long-test-password")
    if role == "superuser":
        user.is_superuser = True
        user.save()
    elif role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if teams is None:
        user.groups.add(Group.objects.get_or_create(name=ALL_ACCOUNTS)[0])
    for team in teams or ():
        team.members.add(user)
    return user


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
