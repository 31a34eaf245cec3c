"""Collector for cloudtrail (to be written)."""

from checks.collectors.base import Collected

SERVICE = "cloudtrail"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
