"""Fixtures for the foundation's acceptance tests."""

import os

import pytest
import redis

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"  # db 15: away from the default db 0 a dev server uses


@pytest.fixture(scope="session")
def redis_url():
    """The URL of a Redis that answers; the test fails (never skips) when there is none."""
    url = os.environ.get("POSTURE_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis does not answer at {url} ({error}). These tests need a real Redis: start one "
            '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) '
            "or point POSTURE_TEST_REDIS_URL at one.",
            pytrace=False,
        )
    return url
