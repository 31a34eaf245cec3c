"""Redis down: pages still render, Scan now says the queue is unavailable, and nothing is lost or wedged — once
the broker answers again (the real Redis here), the next Scan now reaches it.

The Celery app is pointed at a closed port on 127.0.0.1 (a broker that refuses connections), then at the real
Redis. The test runs with real transactions so the scan is handed to the broker on commit, as in production.
"""

import json
import socket

import pytest
import redis
from django.contrib.auth.models import Group, User
from django.urls import reverse

from accounts.tests.factories import AwsAccountFactory
from accounts.visibility import ALL_ACCOUNTS
from checks.models import Scan
from posture.celery import app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def broker(monkeypatch):
    """broker.point(url): the Celery app publishes to `url` from now on (fresh connections)."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers the variable over its config
    before = (app.conf.broker_url, app.conf.broker_write_url)

    def point(url):
        app.conf.broker_url = app.conf.broker_write_url = url
        app._pool = None
        app.amqp._producer_pool = None

    point.closed_url = f"redis://127.0.0.1:{closed_port()}/0"
    yield point
    app.conf.broker_url, app.conf.broker_write_url = before
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def operator(client):
    user = User.objects.create_user("op", password="a-long-test-password")  # noqa: S106
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    user.groups.add(Group.objects.get_or_create(name=ALL_ACCOUNTS)[0])  # sees every account (no teams here)
    client.force_login(user)
    return client


def test_with_the_broker_down_pages_render_and_scan_now_says_so(broker, operator):
    account = AwsAccountFactory()
    broker(broker.closed_url)

    assert operator.get(reverse("dashboard:overview")).status_code == 200
    assert operator.get(reverse("dashboard:account", args=[account.pk])).status_code == 200
    response = operator.post(reverse("dashboard:scan_now", args=[account.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "The task queue is unavailable" in response.text
    scan = Scan.objects.get(account=account)
    assert scan.status == Scan.State.FAILED
    assert 'action="/account/' in response.text
    assert "Scan now" in response.text


def test_when_the_broker_returns_the_next_scan_reaches_it(broker, operator, redis_url):
    account = AwsAccountFactory()
    queue = redis.Redis.from_url(redis_url)
    queue.delete("celery")
    broker(broker.closed_url)
    operator.post(reverse("dashboard:scan_now", args=[account.pk]))

    broker(redis_url)
    operator.post(reverse("dashboard:scan_now", args=[account.pk]))

    first, second = Scan.objects.filter(account=account).order_by("pk")
    assert first.status == Scan.State.FAILED
    assert second.status == Scan.State.QUEUED  # handed to the broker, waiting for a worker
    try:
        [raw] = queue.lrange("celery", 0, -1)
    finally:
        queue.delete("celery")
    message = json.loads(raw)
    assert message["headers"]["task"] == "checks.tasks.scan_account"
    assert message["headers"]["argsrepr"] == f"({second.pk},)"
