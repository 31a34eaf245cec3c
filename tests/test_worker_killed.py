"""A worker killed mid-scan: a real Celery worker process on the real Redis, against a real database it
shares with this test (a throwaway SQLite file, or a throwaway PostgreSQL database when the suite runs on
PostgreSQL), is SIGKILLed while its scan is inside the recording transaction — resources written, nothing
committed. Then the dead-worker sweep (checks.tasks.expire_stuck_scans, with the heartbeat timeout
shortened from minutes to zero) fails the scan, nothing of it is in the database, and the account can be
scanned again.

tests/worker_hooks.py (loaded into the worker with --include) replaces the collectors with one that needs
no AWS and holds the scan inside recording until the test has killed the worker; the test learns the
moment from Redis (BLPOP), so there is no sleep and no race. Everything the test reads from the database
it reads in child processes, like the worker, never through pytest-django's own test database.
"""

import json
import signal
import subprocess
import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings

from tests.processes import PROJECT_ROOT, PYTHON, clean_environment, run_manage, run_python

pytestmark = pytest.mark.redis

WAIT_SECONDS = 120  # a cold worker imports Django, boto3 and the catalog before it consumes

SETUP = """
import django; django.setup()
from accounts.models import AwsAccount
from checks.models import Scan
account = AwsAccount.objects.create(account_id="123456789012", name="killed", regions=["us-east-1"])
print(Scan.queue(account, Scan.Trigger.MANUAL).pk)
"""

AFTERMATH = """
import django, json; django.setup()
from django.conf import settings
from checks import tasks
from checks.models import AreaScore, Finding, FindingEvent, Resource, Scan
settings.SCAN_HEARTBEAT_TIMEOUT = 0  # the sweep's deadline, shortened from minutes for the test
expired = tasks.expire_stuck_scans()
scan = Scan.objects.select_related("account").get()
print(json.dumps({
    "expired": expired, "status": scan.status, "error": scan.error_message,
    "resources": Resource.objects.count(), "findings": Finding.objects.count(),
    "events": FindingEvent.objects.count(), "scores": AreaScore.objects.count(),
    "queued_again": Scan.queue(scan.account, Scan.Trigger.MANUAL) is not None,
}))
"""


@pytest.fixture
def database(tmp_path):
    """Environment variables naming a fresh, migrated database that child processes share."""
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"posture_killed_{uuid.uuid4().hex[:12]}"
        dsn = {
            "host": default["HOST"],
            "port": default["PORT"],
            "user": default["USER"],
            "password": default["PASSWORD"],
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**dsn) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env = {
            "DB": "postgres",
            "DB_HOST": default["HOST"],
            "DB_PORT": str(default["PORT"]),
            "DB_USER": default["USER"],
            "DB_PASSWORD": default["PASSWORD"],
            "DB_NAME": name,
            "DB_CONN_MAX_AGE": "0",
        }
    else:
        env = {"DB": "sqlite", "SQLITE_PATH": str(tmp_path / "killed.sqlite3")}
    env.update(DEBUG="true", SECRET_KEY="x")  # noqa: S106 - a throwaway key for child processes in DEBUG
    migrated = run_manage("migrate", "--noinput", **env)
    assert migrated.returncode == 0, migrated.stderr
    yield env
    if env["DB"] == "postgres":
        with psycopg.connect(**dsn) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(code, env):
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def hold(redis_url):
    key = f"posture-test-hold-{uuid.uuid4().hex}"
    connection = redis.Redis.from_url(redis_url, socket_timeout=WAIT_SECONDS + 30)
    yield key, connection
    connection.delete(f"{key}:recording", f"{key}:release", key)


def start_worker(env, queue, log):
    command = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "posture",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "info",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-mingle",
        "--without-gossip",
        "--include",
        "tests.worker_hooks",
    ]
    with log.open("w") as output:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=clean_environment(**env),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def test_a_worker_killed_while_recording_leaves_nothing_and_the_scan_is_failed(
    database, hold, redis_url, tmp_path, monkeypatch
):
    key, connection = hold
    scan_id = int(child(SETUP, database))
    queue, log = key, tmp_path / "worker.log"
    worker = start_worker(
        {**database, "CELERY_BROKER_URL": redis_url, "POSTURE_TEST_HOLD_KEY": key, "POSTURE_TEST_REDIS_URL": redis_url},
        queue,
        log,
    )
    try:
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            monkeypatch.delenv(name, raising=False)
        producer = Celery("posture-test-producer", broker=redis_url, set_as_current=False)
        producer.send_task("checks.tasks.scan_account", args=[scan_id], queue=queue)
        producer.close()

        announced = connection.blpop([f"{key}:recording"], timeout=WAIT_SECONDS)
        assert announced is not None, f"The worker never reached recording. Its log:\n{log.read_text()}"
        assert int(announced[1]) == scan_id

        worker.send_signal(signal.SIGKILL)  # no warm shutdown, no cleanup: the process is simply gone
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    aftermath = json.loads(child(AFTERMATH, database))

    assert aftermath["expired"] == 1
    assert aftermath["status"] == "failed"
    assert "stopped responding" in aftermath["error"]
    assert (aftermath["resources"], aftermath["findings"], aftermath["events"], aftermath["scores"]) == (0, 0, 0, 0)
    assert aftermath["queued_again"]
    assert "Task checks.tasks.scan_account[" in log.read_text()
