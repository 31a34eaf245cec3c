"""The web process freezes its start-up heap (posture.heap), so a full garbage collection during a request
walks only what requests made, not the hundreds of thousands of objects Django and the catalog hold."""

import os
import subprocess
import sys

from tests.project import PROJECT_ROOT

PROBE = """
import gc
before = gc.get_freeze_count()
import posture.wsgi
import dashboard.views.overview  # loaded by settle(): in the frozen set, not among the tracked objects
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_loading_the_wsgi_application_freezes_the_start_up_heap():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "posture.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    before, frozen, tracked = map(int, result.stdout.split())
    assert before == 0
    assert frozen > 50_000  # Django, the apps, every view module and the catalog
    assert tracked < frozen / 10  # what the collector still walks is what came after start-up
