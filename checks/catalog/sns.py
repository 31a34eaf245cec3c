"""Checks for sns (to be written)."""
