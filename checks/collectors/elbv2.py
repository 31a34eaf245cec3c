"""Collector for elbv2 (to be written)."""

from checks.collectors.base import Collected

SERVICE = "elbv2"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
