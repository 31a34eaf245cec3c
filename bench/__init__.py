"""Benchmarks (not tests): each module prints what it measured and where. `make bench` runs them all."""
