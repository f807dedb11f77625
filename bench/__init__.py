"""Benchmarks of the userpool server against moto: ``python -m bench run`` (the targets: docs/architecture.md,
Hot-path rules)."""
