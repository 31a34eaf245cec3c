"""Collector for dynamodb (to be written)."""

from checks.collectors.base import Collected

SERVICE = "dynamodb"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
