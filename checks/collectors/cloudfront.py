"""Collector for cloudfront (to be written)."""

from checks.collectors.base import Collected

SERVICE = "cloudfront"
SCOPE = "global"


def collect(ctx, region):
    return Collected(SERVICE, region)
