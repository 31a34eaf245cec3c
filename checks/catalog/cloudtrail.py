"""Checks for cloudtrail (to be written)."""
