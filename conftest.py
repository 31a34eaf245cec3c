"""Shared fixtures: a moto server over real HTTP, AWS sessions in it, users by role."""

import functools
import os

import boto3
import pytest
import requests

# pyproject's pytest-env sets the fake credentials; a developer's own profile must not leak in.
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_SESSION_TOKEN", None)

MOTO_ACCOUNT = "123456789012"  # moto's default account for the dashboard's own credentials


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.AWS_MAX_ATTEMPTS = 3
    settings.AWS_CONNECT_TIMEOUT = 2
    settings.AWS_READ_TIMEOUT = 10


@pytest.fixture(scope="session")
def moto_server():
    """One moto server per test session on 127.0.0.1, reached over HTTP via AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("AWS_ENDPOINT_URL", None)
    else:
        os.environ["AWS_ENDPOINT_URL"] = previous
    server.stop()


class Aws:
    """A clean moto estate: the dashboard's own session and helpers to act in other accounts."""

    def __init__(self, url):
        self.url = url
        self.account_id = MOTO_ACCOUNT
        self.session = boto3.session.Session(region_name="us-east-1")

    def client(self, service, region="us-east-1", session=None):
        return (session or self.session).client(service, region_name=region)

    def session_in(self, account_id, role_name="OrganizationAccountAccessRole"):
        """A boto3 session acting in another (moto) account through sts:AssumeRole."""
        credentials = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="test"
        )["Credentials"]
        return boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name="us-east-1",
        )


@functools.cache
def ec2_client(url):
    return boto3.client("ec2", region_name="us-east-1", endpoint_url=url)


def reset_moto(url):
    """Clear the moto server's state, all of it.

    moto 5.2's reset re-initialises every backend before emptying it; re-initialising a Redshift backend looks up
    its account's EC2 backend, which puts that one back (with a new default VPC) after EC2's backends were emptied,
    and it outlives the reset. Such a left-over changes the ids a seeded build makes (demo/tests). An EC2 call puts
    EC2's backends back on moto's reset list, so a second reset empties them.
    """
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    ec2_client(url).describe_regions()
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()


@pytest.fixture
def aws(moto_server):
    """Reset the moto server's state and hand out sessions in it."""
    from accounts import sessions

    reset_moto(moto_server)
    sessions.forget_credentials()
    return Aws(moto_server)


@pytest.fixture
def client_as(db, client):
    """client_as("viewer") signs in a fresh user holding that role and returns the test client.

    The user sees every account (the "all accounts" group) unless `teams` names the teams they belong to.
    """
    from accounts.tests.factories import make_user

    def sign_in(role, teams=None):
        user = make_user(f"{role}-user", role, teams)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


def deny(session, service, operation, code="AccessDenied", message="Injected fault for a test", region=None):
    """Make every `service:operation` call through `session` (in `region` only, if given) fail with `code`."""
    from botocore.exceptions import ClientError

    def refuse(context=None, **kwargs):
        if region and (context or {}).get("client_region") != region:
            return None
        raise ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": 403}}, operation
        )

    session.events.register(f"before-call.{service}.{operation}", refuse)
    return refuse
