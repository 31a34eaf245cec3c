"""Checks for rds (to be written)."""
