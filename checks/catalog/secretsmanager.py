"""Checks for secretsmanager (to be written)."""
