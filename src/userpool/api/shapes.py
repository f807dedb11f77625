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
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, NoReturn

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


# A shape's check, made once per shape (``_checker``): (value, its path, whether an enclosing shape is sensitive,
# the errors found so far). A value of the wrong JSON type raises SerializationException at once; a constraint
# broken is added to the errors, which ``validate`` raises together, in the order they are found.
Check = Callable[[Any, str, bool, list[str]], None]

_checks: dict[tuple[str, str], Check] = {}
# The checks being made, with the shapes they contain: published into ``_checks`` together once the outermost is
# made, so that no other thread meets a stand-in (below) before what it stands for exists.
_making: dict[tuple[str, str], Check] = {}
_lock = threading.RLock()


def _checker(service: str, name: str) -> Check:
    found = _checks.get((service, name))
    if found is not None:
        return found
    with _lock:
        found = _checks.get((service, name)) or _making.get((service, name))
        if found is not None:
            return found
        outermost = not _making
        # A stand-in while the check is made: a shape that contains itself checks its inner values through it.
        made: list[Check] = []
        _making[(service, name)] = lambda value, path, sensitive, errors: made[0](value, path, sensitive, errors)
        try:
            shape = _shape(service, name)
            made.append(_MAKERS.get(shape["type"], _unchecked)(service, shape, bool(shape.get("sensitive"))))
            _making[(service, name)] = made[0]
            if outermost:
                _checks.update(_making)
        finally:
            if outermost:
                _making.clear()
        return made[0]


def _type_error(path: str, expected: str) -> NoReturn:
    where = path or "the request"
    raise SerializationException(f"Expected {expected} at '{where}'")


def _fail(errors: list[str], value: Any, path: str, constraint: str, sensitive: bool) -> None:
    errors.append(f"{_show(value, sensitive)} at '{path}' failed to satisfy constraint: {constraint}")


def _bounds(shape: dict[str, Any], measure: str) -> Callable[[list[str], Any, int, str, bool], None]:
    """The check of the shape's ``min`` and ``max`` on a value's ``measure`` ("length" or "value"), given."""
    low, high = shape.get("min"), shape.get("max")

    def bounds(errors: list[str], value: Any, measured: int, path: str, sensitive: bool) -> None:
        if low is not None and measured < low:
            _fail(errors, value, path, f"Member must have {measure} greater than or equal to {low}", sensitive)
        if high is not None and measured > high:
            _fail(errors, value, path, f"Member must have {measure} less than or equal to {high}", sensitive)

    return bounds


def _length(shape: dict[str, Any]) -> Callable[[list[str], Any, int, str, bool], None]:
    return _bounds(shape, "length")


def _unchecked(service: str, shape: dict[str, Any], own: bool) -> Check:
    return lambda value, path, sensitive, errors: None


def _structure(service: str, shape: dict[str, Any], own: bool) -> Check:
    required = tuple((name, _lower_camel(name)) for name in shape.get("required", []))
    members = {
        name: (_lower_camel(name), _checker(service, member["shape"]))
        for name, member in shape.get("members", {}).items()
    }

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, dict):
            _type_error(path, "an object")
        sensitive = sensitive or own
        prefix = f"{path}." if path else ""
        for name, camel in required:
            if value.get(name) is None:
                errors.append(f"Value null at '{prefix}{camel}' failed to satisfy constraint: Member must not be null")
        for name, member_value in value.items():
            member = members.get(name)
            if member is None or member_value is None:
                continue  # unknown members are ignored, as AWS does
            member[1](member_value, prefix + member[0], sensitive, errors)

    return check


def _string(service: str, shape: dict[str, Any], own: bool) -> Check:
    length = _length(shape)
    listed = shape.get("enum")
    allowed = frozenset(listed) if listed is not None else None
    enum_rule = f"Member must satisfy enum value set: [{', '.join(listed)}]" if listed is not None else ""
    pattern = shape.get("pattern")
    full = _pattern(pattern) if pattern else None
    fast = _ascii_pattern(pattern) if pattern else None
    pattern_rule = f"Member must satisfy regular expression pattern: {pattern}"

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, str):
            _type_error(path, "a string")
        sensitive = sensitive or own
        length(errors, value, len(value), path, sensitive)
        if allowed is not None and value not in allowed:
            _fail(errors, value, path, enum_rule, sensitive)
        if full is not None and (fast if fast is not None and value.isascii() else full).fullmatch(value) is None:
            _fail(errors, value, path, pattern_rule, sensitive)

    return check


def _list(service: str, shape: dict[str, Any], own: bool) -> Check:
    length = _length(shape)
    item = _checker(service, shape["member"]["shape"])

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, list):
            _type_error(path, "a list")
        sensitive = sensitive or own
        length(errors, value, len(value), path, sensitive)
        for i, element in enumerate(value, start=1):
            item(element, f"{path}.{i}.member", sensitive, errors)

    return check


def _map(service: str, shape: dict[str, Any], own: bool) -> Check:
    length = _length(shape)
    key_check = _checker(service, shape["key"]["shape"])
    value_check = _checker(service, shape["value"]["shape"])

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, dict):
            _type_error(path, "a map")
        sensitive = sensitive or own
        length(errors, value, len(value), path, sensitive)
        for key, item in value.items():
            key_check(key, f"{path}.key", sensitive, errors)
            if item is not None:
                value_check(item, f"{path}.{key}.value", sensitive, errors)

    return check


def _integer(service: str, shape: dict[str, Any], own: bool) -> Check:
    bounds = _bounds(shape, "value")

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            _type_error(path, "an integer")
        if not -(2**63) <= value < 2**63:
            _type_error(path, "a 64-bit integer")
        bounds(errors, value, value, path, sensitive or own)

    return check


def _boolean(service: str, shape: dict[str, Any], own: bool) -> Check:
    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, bool):
            _type_error(path, "a boolean")

    return check


def _timestamp(service: str, shape: dict[str, Any], own: bool) -> Check:
    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            _type_error(path, "a timestamp")

    return check


def _blob(service: str, shape: dict[str, Any], own: bool) -> Check:
    length = _length(shape)

    def check(value: Any, path: str, sensitive: bool, errors: list[str]) -> None:
        if not isinstance(value, str):
            _type_error(path, "base64 data")
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            _type_error(path, "base64 data")
        length(errors, value, len(raw), path, sensitive or own)

    return check


_MAKERS: dict[str, Callable[[str, dict[str, Any], bool], Check]] = {
    "structure": _structure,
    "string": _string,
    "list": _list,
    "map": _map,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "blob": _blob,
}


def validate(shape_name: str | None, body: Any, model: ApiModel = COGNITO_IDP) -> None:
    """Raise the error Cognito gives when ``body`` does not fit the input shape ``shape_name`` of ``model``."""
    if shape_name is None:
        return
    errors: list[str] = []
    _checker(model.service, shape_name)(body, "", False, errors)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise model.validation_error(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))
