"""Collector for config (to be written)."""

from checks.collectors.base import Collected

SERVICE = "config"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
