"""Checks for ebs (to be written)."""
