"""Child Django processes for tests about what happens at import or at the command line."""

import os
import subprocess
import sys

from tests.project import PROJECT_ROOT

PYTHON = sys.executable


def clean_environment(**variables):
    """The environment for a child Django process: only what it needs plus `variables`.

    Settings are read at import, so a child process is the only honest way to see how they react;
    the test process's own variables (DEBUG=true from conftest, POSTURE_*, CELERY_*) must not leak in.
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "posture.settings"
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env.update(variables)
    return env


def run_python(code, timeout=60, **variables):
    """Run `code` in a fresh interpreter with a clean environment; returns the CompletedProcess."""
    return subprocess.run(
        [PYTHON, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def run_manage(*args, timeout=120, **variables):
    """Run `manage.py args` with a clean environment; returns the CompletedProcess."""
    return subprocess.run(
        [PYTHON, str(PROJECT_ROOT / "manage.py"), *args],
        cwd=PROJECT_ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
