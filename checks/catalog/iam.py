"""Checks for iam (to be written)."""
