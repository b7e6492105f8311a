"""Benchmarks of Bench at scale: a data generator and timed page requests (see README.md)."""
