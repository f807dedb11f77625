"""Benchmarks of the userpool server against moto: ``python -m bench run`` (design §8, issue 8)."""
