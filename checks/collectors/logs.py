"""Collector for logs (to be written)."""

from checks.collectors.base import Collected

SERVICE = "logs"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
