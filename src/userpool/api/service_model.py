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


# Operations the model signs although IAM credentials do not authorize them: the app client's secret in the
# request does (GetClientToken: "you can't use IAM credentials to authorize requests"). A signature on them is
# not checked, as on the operations marked ``authtype: none``.
_CLIENT_AUTHORIZED = frozenset({"GetClientToken"})
# Operations authorized by IAM credentials or by the app client's secret (GetDerivedToken: "you must have IAM
# credentials, or you must present the requesting app client's ClientId and, if the client has a secret,
# ClientSecret"): a request that carries a signature has it checked, one without goes unsigned.
_SIGNATURE_OPTIONAL = frozenset({"GetDerivedToken"})


def is_unsigned(operation: str) -> bool:
    """Operations the model marks ``authtype: none`` (SDKs send them without a signature), and those that only
    the app client's secret authorizes."""
    return operation in _CLIENT_AUTHORIZED or bool(operations()[operation].get("authtype") == "none")


def signature_optional(operation: str) -> bool:
    """Operations authorized either by a signature or by the app client's secret."""
    return operation in _SIGNATURE_OPTIONAL


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
