"""The web process's heap after start-up, frozen out of the garbage collector's way.

A full collection walks every object the collector tracks; a Django process holds hundreds of thousands
from start-up alone (modules, models, URL patterns, templates, the check catalog), none of which ever
becomes garbage. Frozen (gc.freeze), they are skipped, so the occasional full collection a request
triggers costs a few milliseconds instead of a few hundred. posture/wsgi.py settles the heap once the
application is loaded; bench.pages does the same before it measures, so it times what a server serves.
"""

import gc


def settle():
    """Load what every request needs, collect what start-up left as garbage, and freeze the rest."""
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # imports every view module, as the first request would
    gc.collect()
    gc.freeze()
