"""The check catalog: importing a module registers its checks (see base.check)."""

from checks.catalog.base import CATALOG, Check, check  # noqa: F401

# One import line per catalog module registers its checks.
