"""Collector for ec2 (to be written)."""

from checks.collectors.base import Collected

SERVICE = "ec2"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
