"""Checks for efs (to be written)."""
