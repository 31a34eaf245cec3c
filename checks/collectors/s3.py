"""Collector for s3 (to be written)."""

from checks.collectors.base import Collected

SERVICE = "s3"
SCOPE = "global"


def collect(ctx, region):
    return Collected(SERVICE, region)
