"""Strict reading of the ``response`` members a function set: a wrong JSON type is
InvalidLambdaResponseException, never a guess."""

from __future__ import annotations

from typing import Any

from userpool.errors import InvalidLambdaResponseException
from userpool.triggers.invoke import INVALID_RESPONSE


def flag(response: dict[str, Any], name: str) -> bool:
    """A boolean member; absent or null is false, ``"true"`` (a string) is not a boolean."""
    value = response.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return value


def optional_string(response: dict[str, Any], name: str) -> str | None:
    """A string member; absent, null or empty means "not set"."""
    value = response.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return value
