"""Imported by the worker in tests/test_worker_killed.py (`celery worker --include tests.worker_hooks`).

When POSTURE_TEST_HOLD_KEY is set, a scan in this worker collects one bucket without AWS and then, inside
its recording transaction (resources written, nothing committed), announces itself on Redis and waits —
so the test can SIGKILL the worker at the worst moment. Without the variable this module does nothing.
"""

import os

from celery.signals import task_prerun

HOLD_KEY = os.environ.get("POSTURE_TEST_HOLD_KEY", "")
REDIS_URL = os.environ.get("POSTURE_TEST_REDIS_URL", "")
_installed = []


class OneBucket:
    SERVICE = "s3"
    SCOPE = "global"

    @staticmethod
    def collect(ctx, region):
        from checks.inventory import Collected, Record

        collected = Collected("s3", region)
        collected.add(
            Record(
                uid="arn:aws:s3:::half-recorded",
                type="s3.bucket",
                region="us-east-1",
                name="half-recorded",
                evidence={"encrypted": False, "sse_algorithm": None},
            )
        )
        return collected


def install():
    import redis

    from checks import recording, scanning

    real = recording.upsert_findings
    hold = redis.Redis.from_url(REDIS_URL, socket_timeout=600)

    def upsert_findings(scan, *args, **kwargs):
        hold.rpush(f"{HOLD_KEY}:recording", scan.pk)
        hold.blpop([f"{HOLD_KEY}:release"], timeout=300)  # the test kills us long before this returns
        return real(scan, *args, **kwargs)

    scanning.COLLECTORS = [OneBucket]
    recording.upsert_findings = upsert_findings


@task_prerun.connect
def install_once(**kwargs):
    if HOLD_KEY and not _installed:
        install()
        _installed.append(True)
