"""Collector for iam (to be written)."""

from checks.collectors.base import Collected

SERVICE = "iam"
SCOPE = "global"


def collect(ctx, region):
    return Collected(SERVICE, region)
