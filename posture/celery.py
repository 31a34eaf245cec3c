"""The Celery app, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posture.settings")

app = Celery("posture")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_filesystem_queue_folders(sender, **kwargs):
    # kombu's filesystem transport needs its folders to exist before the first publish.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@worker_process_init.connect
def prepare_for_scans(**kwargs):
    """Each worker process loads what scans share and freezes its heap once (checks.scanning.prepare_process)."""
    from checks import scanning

    scanning.prepare_process()


@app.task(name="posture.ping")
def ping():
    """A task with no side effects: proves a worker consumes from the broker and returns results."""
    return "pong"
