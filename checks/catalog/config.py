"""Checks for config (to be written)."""
