"""Collector for rds (to be written)."""

from checks.collectors.base import Collected

SERVICE = "rds"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
