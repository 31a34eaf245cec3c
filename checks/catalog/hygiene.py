"""Checks for hygiene (to be written)."""
