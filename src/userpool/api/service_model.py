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
