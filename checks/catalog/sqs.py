"""Checks for sqs (to be written)."""
