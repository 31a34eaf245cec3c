"""Collector for proton (to be written)."""

from checks.collectors.base import Collected

SERVICE = "proton"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
