"""Which port methods the contract suite exercises: each test names them with ``@covers``, and
test_completeness.py fails when a method of a store/base.py protocol is named by no test."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

COVERED: dict[str, list[str]] = {}


def covers(*methods: str) -> Callable[[F], F]:
    """Record that the decorated test exercises ``methods`` ("ProtocolName.method")."""

    def mark(test: F) -> F:
        for method in methods:
            COVERED.setdefault(method, []).append(f"{test.__module__}.{test.__name__}")
        return test

    return mark
