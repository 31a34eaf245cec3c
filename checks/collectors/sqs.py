"""Collector for sqs (to be written)."""

from checks.collectors.base import Collected

SERVICE = "sqs"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
