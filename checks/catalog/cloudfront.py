"""Checks for cloudfront (to be written)."""
