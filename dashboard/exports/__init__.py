"""Exports: every format reads the same rows (current or as of a date)."""
