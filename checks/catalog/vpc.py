"""Checks for vpc (to be written)."""
