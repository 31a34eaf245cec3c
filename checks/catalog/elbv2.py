"""Checks for elbv2 (to be written)."""
