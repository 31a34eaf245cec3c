"""Checks for proton (to be written)."""
