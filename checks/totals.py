"""The totals over every account (OwnerTotal, CheckTotal) follow accounts that are deleted, whoever deletes them.

An account's per-account counts go with it by cascade; its share of the totals is taken out by summing the
totals again once the deletion has committed — once per transaction, however many accounts it deletes (the
admin's bulk action, a queryset in a shell, a cascade from elsewhere).
"""

import threading

from django.db import transaction

from checks import check_counts, owner_counts

_pending = threading.local()  # on_commit callbacks run in the thread that commits


def retotal():
    owner_counts.retotal()
    check_counts.retotal()


def account_deleted(sender, instance, using, **kwargs):
    """post_delete of an AwsAccount: re-total when its transaction commits (nothing if it rolls back)."""
    _pending.due = True
    transaction.on_commit(_retotal_if_due, using=using)


def _retotal_if_due():
    if getattr(_pending, "due", False):
        _pending.due = False
        retotal()
