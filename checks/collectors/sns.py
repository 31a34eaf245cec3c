"""Collector for sns (to be written)."""

from checks.collectors.base import Collected

SERVICE = "sns"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
