"""botocore's cognito-idp service model: the authoritative list of operations, members and constraints."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.loaders

SERVICE = "cognito-idp"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."


@cache
def service_model() -> dict[str, Any]:
    model: dict[str, Any] = botocore.loaders.Loader().load_service_model(SERVICE, "service-2")
    return model


def operations() -> dict[str, Any]:
    ops: dict[str, Any] = service_model()["operations"]
    return ops


def shapes() -> dict[str, Any]:
    result: dict[str, Any] = service_model()["shapes"]
    return result


def is_unsigned(operation: str) -> bool:
    """Operations the model marks ``authtype: none``: SDKs send them without a signature."""
    return bool(operations()[operation].get("authtype") == "none")


def input_shape(operation: str) -> str | None:
    spec = operations()[operation].get("input")
    return spec["shape"] if spec else None


def _nesting(name: str, enclosing: frozenset[str]) -> int:
    """How many JSON objects and arrays deep a value of shape ``name`` goes (a shape that contains itself is
    counted once)."""
    shape = shapes()[name]
    if name in enclosing:
        return 0
    inner = enclosing | {name}
    kind = shape["type"]
    if kind == "structure":
        return 1 + max((_nesting(m["shape"], inner) for m in shape["members"].values()), default=0)
    if kind == "list":
        return 1 + _nesting(shape["member"]["shape"], inner)
    if kind == "map":
        return 1 + _nesting(shape["value"]["shape"], inner)
    return 0


@cache
def deepest_input() -> int:
    """The deepest nesting of JSON objects and arrays any operation's input shape has (the body's own object
    counts as one)."""
    return max(_nesting(shape, frozenset()) for op in operations() if (shape := input_shape(op)) is not None)
