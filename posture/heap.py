"""A process's heap after start-up, frozen out of the garbage collector's way.

A full collection walks every object the collector tracks; a Django process holds hundreds of thousands
from start-up alone (modules, models, URL patterns, templates, the check catalog), none of which ever
becomes garbage. Frozen (gc.freeze), they are skipped, so the occasional full collection a request
triggers costs a few milliseconds instead of a few hundred. posture/wsgi.py settles the heap once the
application is loaded; bench.pages does the same before it measures, so it times what a server serves.
A process that scans (`manage.py scan --wait`, a Celery worker) freezes its heap once the collectors' clients
are loaded (checks.scanning.prepare_process): a scan allocates objects by the million, and every full collection
walked the service models and client classes too (~0.25 s each, 2 s of an 11-account scan's 18 s of CPU).
"""

import gc


def settle():
    """Load what every request needs, collect what start-up left as garbage, and freeze the rest."""
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # imports every view module, as the first request would
    freeze()


def freeze():
    """Collect what loading left as garbage and freeze what is left: full collections skip it from now on."""
    gc.collect()
    gc.freeze()
