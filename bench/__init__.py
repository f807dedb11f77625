"""Benchmarks of the userpool server: ``python -m bench <scenario>`` (design §8)."""
