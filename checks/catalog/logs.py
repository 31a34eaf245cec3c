"""Checks for logs (to be written)."""
