"""A real Celery worker process consumes a task from the real Redis and returns its result."""

import signal
import subprocess
import uuid

import pytest
import redis
from celery import Celery

from tests.processes import PROJECT_ROOT, PYTHON, clean_environment

pytestmark = pytest.mark.redis

RESULT_TIMEOUT = 60  # seconds: a cold worker imports Django, boto3 and the catalog before it consumes


@pytest.fixture
def queue(redis_url):
    """A queue of our own, so a stray worker on the same Redis can never answer for ours."""
    name = f"posture-test-{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(redis_url).delete(name)


@pytest.fixture
def worker(redis_url, queue, tmp_path):
    """`celery -A posture worker` as a child process, logging to a file; stopped and reaped afterwards."""
    log = tmp_path / "worker.log"
    env = clean_environment(
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        DEBUG="true",
        SECRET_KEY="x",  # noqa: S106 - a throwaway key for a child process in DEBUG
        SQLITE_PATH=str(tmp_path / "worker.sqlite3"),
    )
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
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    process.log = log
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture
def producer(redis_url, monkeypatch):
    """A separate Celery app on the same broker and backend: the test is a client, not the worker."""
    # Celery prefers these variables over an app's own broker/backend; the suite sets CELERY_BROKER_URL=memory://.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    app = Celery("posture-test-producer", broker=redis_url, backend=redis_url, set_as_current=False)
    assert app.conf.broker_write_url == redis_url
    yield app
    app.close()


def test_worker_completes_a_task_sent_through_redis(worker, producer, queue):
    result = producer.send_task("posture.ping", queue=queue)

    try:
        answer = result.get(timeout=RESULT_TIMEOUT)  # waits on the result backend; no sleeps
    except Exception:
        pytest.fail(f"No result from the worker. Its log:\n{worker.log.read_text()}")
    assert answer == "pong"
    assert result.successful()
    result.forget()

    worker.send_signal(signal.SIGTERM)  # warm shutdown, as a process manager stops it
    assert worker.wait(timeout=30) == 0, worker.log.read_text()
    log = worker.log.read_text()
    assert f"Task posture.ping[{result.id}] received" in log
    assert f"Task posture.ping[{result.id}] succeeded" in log
