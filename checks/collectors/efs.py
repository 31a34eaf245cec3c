"""Collector for efs (to be written)."""

from checks.collectors.base import Collected

SERVICE = "efs"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
