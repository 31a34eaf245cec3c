"""Collector for kms (to be written)."""

from checks.collectors.base import Collected

SERVICE = "kms"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
