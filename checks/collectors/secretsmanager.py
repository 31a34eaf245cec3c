"""Collector for secretsmanager (to be written)."""

from checks.collectors.base import Collected

SERVICE = "secretsmanager"
SCOPE = "regional"


def collect(ctx, region):
    return Collected(SERVICE, region)
