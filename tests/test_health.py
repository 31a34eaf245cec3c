"""/healthz: what a load balancer or uptime probe calls — anonymous, terse, honest about the broker."""

import json
import socket

import django
import pytest
from django.conf import settings

from posture.celery import app as celery_app

BODY_KEYS = {"status", "database", "broker"}


@pytest.fixture
def closed_port():
    """A local port bound but not listening: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app's publishing connection at another broker for one test.

    broker_write_url is what connection_for_write() (the health probe) uses; setting it on the app's
    configuration leaves CELERY_BROKER_URL and the rest of the app alone, and monkeypatch restores it.
    """

    def point(url):
        monkeypatch.setitem(celery_app.conf, "broker_write_url", url)

    return point


def assert_leaks_nothing(response, *secrets):
    text = response.content.decode()
    assert set(json.loads(text)) == BODY_KEYS
    for secret in (
        "Traceback",
        "Error",
        socket.gethostname(),
        django.get_version(),
        settings.POSTURE_VERSION,
        *secrets,
    ):
        assert secret not in text, f"/healthz shows {secret!r}"


@pytest.mark.django_db
def test_healthz_is_anonymous_and_reports_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert_leaks_nothing(response)


@pytest.mark.django_db
def test_unreachable_broker_is_degraded_with_503(client, broker_at, closed_port):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}
    assert_leaks_nothing(response, str(closed_port), "redis", "127.0.0.1")


@pytest.mark.redis
@pytest.mark.django_db
def test_real_redis_broker_is_reported_ok(client, broker_at, redis_url):
    broker_at(redis_url)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
    assert_leaks_nothing(response, redis_url)


def test_healthz_answers_get_only(client):
    response = client.post("/healthz")

    assert response.status_code == 405
