"""Checks for dynamodb (to be written)."""
