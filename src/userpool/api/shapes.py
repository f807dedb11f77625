"""Validate a request body against the operation's input shape in botocore's model.

Cognito answers constraint violations in Coral's wording ("1 validation error detected: Value 'x' at 'userPoolId'
failed to satisfy constraint: ..."), as InvalidParameterException (user pools) or ValidationException (identity
pools);
a value of the wrong JSON type is a SerializationException, as on AWS's JSON protocol.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import cache
from typing import Any

import regex

from userpool.api.service_model import COGNITO_IDP, MODELS, ApiModel
from userpool.errors import SerializationException


@cache
def _pattern(pattern: str) -> Any:
    # The model's patterns are Java regular expressions: \w, \s and \d are ASCII-only there, while
    # \p{L} and friends are Unicode properties; the `regex` module with ASCII reads them the same way.
    return regex.compile(pattern, regex.ASCII | regex.V0)


_ONE_CLASS_REPEATED = re.compile(r"\[(?:[^\[\]\\]|\\.)*\]\+")


@cache
def _ascii_pattern(pattern: str) -> re.Pattern[str] | None:
    """For a pattern that is one character class repeated (``[...]+``, as most of the model's are), the same
    test for ASCII values with the standard library's engine, several times faster on long values such as
    tokens. Its characters are the ASCII ones the model's class itself accepts, so the answer
    is the same."""
    if not _ONE_CLASS_REPEATED.fullmatch(pattern):
        return None
    one = _pattern(pattern[:-1])
    members = "".join(re.escape(c) for c in map(chr, range(128)) if one.fullmatch(c))
    return re.compile(f"[{members}]+" if members else "(?!)")


def _fits(pattern: str, value: str) -> bool:
    fast = _ascii_pattern(pattern) if value.isascii() else None
    return (fast or _pattern(pattern)).fullmatch(value) is not None


# Where cognito-idp's published model is narrower than the service: DomainType's pattern admits only prefix
# domains, yet CreateUserPoolDomain takes a custom domain (a full host name) in the same member. The service
# checks which of the two a request may use.
_HOST_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_OVERRIDES: dict[str, dict[str, Any]] = {
    "DomainType": {"type": "string", "min": 1, "max": 253, "pattern": rf"^{_HOST_LABEL}(?:\.{_HOST_LABEL})*$"},
}
# Enum values the service takes that the published model does not list: GetClientToken's documentation has
# the app client enable ALLOW_CLIENT_TOKEN_AUTH in ExplicitAuthFlows, which ExplicitAuthFlowsType lacks.
EXTRA_ENUM_VALUES: dict[str, tuple[str, ...]] = {"ExplicitAuthFlowsType": ("ALLOW_CLIENT_TOKEN_AUTH",)}


_MODELS = {model.service: model for model in MODELS}


@cache
def _shape(service: str, name: str) -> dict[str, Any]:
    if service == COGNITO_IDP.service and name in _OVERRIDES:
        return _OVERRIDES[name]
    shape: dict[str, Any] = _MODELS[service].shapes()[name]
    listed = EXTRA_ENUM_VALUES.get(name, ()) if service == COGNITO_IDP.service else ()
    extra = [v for v in listed if v not in shape.get("enum", [])]
    return {**shape, "enum": [*shape["enum"], *extra]} if extra else shape


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any, sensitive: bool) -> str:
    # Sensitive members (passwords, secrets, tokens) are never echoed back.
    return "Value" if sensitive else f"Value '{value}'"


class _Validator:
    def __init__(self, service: str) -> None:
        self.service = service
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, constraint: str, sensitive: bool) -> None:
        shown = _show(value, sensitive)
        self.errors.append(f"{shown} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, shape_name: str, value: Any, path: str, sensitive: bool = False) -> None:
        shape = _shape(self.service, shape_name)
        sensitive = sensitive or bool(shape.get("sensitive"))
        kind = shape["type"]
        checker = getattr(self, f"_check_{kind}", None)
        if checker is not None:
            checker(shape, value, path, sensitive)

    def _type_error(self, path: str, expected: str) -> None:
        where = path or "the request"
        raise SerializationException(f"Expected {expected} at '{where}'")

    def _check_structure(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, dict):
            self._type_error(path, "an object")
        members: dict[str, Any] = shape.get("members", {})
        for name in shape.get("required", []):
            if value.get(name) is None:
                sub = f"{path}.{_lower_camel(name)}" if path else _lower_camel(name)
                self.errors.append(f"Value null at '{sub}' failed to satisfy constraint: Member must not be null")
        for name, member_value in value.items():
            member = members.get(name)
            if member is None or member_value is None:
                continue  # unknown members are ignored, as AWS does
            sub = f"{path}.{_lower_camel(name)}" if path else _lower_camel(name)
            self.check(member["shape"], member_value, sub, sensitive)

    def _length(self, shape: dict[str, Any], value: Any, size: int, path: str, sensitive: bool) -> None:
        if "min" in shape and size < shape["min"]:
            self.fail(value, path, f"Member must have length greater than or equal to {shape['min']}", sensitive)
        if "max" in shape and size > shape["max"]:
            self.fail(value, path, f"Member must have length less than or equal to {shape['max']}", sensitive)

    def _check_string(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, str):
            self._type_error(path, "a string")
        self._length(shape, value, len(value), path, sensitive)
        if "enum" in shape and value not in shape["enum"]:
            allowed = ", ".join(shape["enum"])
            self.fail(value, path, f"Member must satisfy enum value set: [{allowed}]", sensitive)
        pattern = shape.get("pattern")
        if pattern and not _fits(pattern, value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}", sensitive)

    def _check_list(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, list):
            self._type_error(path, "a list")
        self._length(shape, value, len(value), path, sensitive)
        for i, item in enumerate(value, start=1):
            self.check(shape["member"]["shape"], item, f"{path}.{i}.member", sensitive)

    def _check_map(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, dict):
            self._type_error(path, "a map")
        self._length(shape, value, len(value), path, sensitive)
        for key, item in value.items():
            self.check(shape["key"]["shape"], key, f"{path}.key", sensitive)
            if item is not None:
                self.check(shape["value"]["shape"], item, f"{path}.{key}.value", sensitive)

    def _check_integer(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self._type_error(path, "an integer")
        if not -(2**63) <= value < 2**63:
            self._type_error(path, "a 64-bit integer")
        if "min" in shape and value < shape["min"]:
            self.fail(value, path, f"Member must have value greater than or equal to {shape['min']}", sensitive)
        if "max" in shape and value > shape["max"]:
            self.fail(value, path, f"Member must have value less than or equal to {shape['max']}", sensitive)

    _check_long = _check_integer

    def _check_boolean(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, bool):
            self._type_error(path, "a boolean")

    def _check_timestamp(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self._type_error(path, "a timestamp")

    def _check_blob(self, shape: dict[str, Any], value: Any, path: str, sensitive: bool) -> None:
        if not isinstance(value, str):
            self._type_error(path, "base64 data")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            self._type_error(path, "base64 data")
        self._length(shape, value, len(raw), path, sensitive)


def validate(shape_name: str | None, body: Any, model: ApiModel = COGNITO_IDP) -> None:
    """Raise the error Cognito gives when ``body`` does not fit the input shape ``shape_name`` of ``model``."""
    if shape_name is None:
        return
    validator = _Validator(model.service)
    validator.check(shape_name, body, "")
    errors = validator.errors
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise model.validation_error(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
