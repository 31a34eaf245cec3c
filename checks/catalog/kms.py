"""Checks for kms (to be written)."""
