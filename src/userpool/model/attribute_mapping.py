"""An external provider's claims as the pool's attributes (Cognito developer guide: 'Mapping IdP attributes to
profiles and tokens').

An IdP record's AttributeMapping maps a pool attribute to the provider's claim that fills it. Values are stored
as strings (``true`` for a JSON true, numbers as written), at most 2,048 characters. On the first sign-in every
required attribute must be mapped and present, and a mapped email or phone number is unverified unless its
``*_verified`` flag is mapped too. On every later sign-in each mapped attribute present is written again, so it
must be mutable and writable by the app client; a claim missing from this sign-in leaves the stored value.
``sub``, ``identities`` and ``cognito:*`` are the server's and never set from a provider; ``username`` names
the provider's subject, not an attribute. Problems are reported in Cognito's words: ``attributes required:
[email]``, ``Invalid user attributes: email: Attribute cannot be updated.``
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.attributes import VERIFIABLE, setting_problem, stored_value
from userpool.model.records import Pool
from userpool.model.schema import MAX_STRING_LENGTH, definitions

SUBJECT_KEY = "username"
_SERVER_OWNED = frozenset({"sub", "identities", SUBJECT_KEY})
_TOO_LONG = f"String must be no longer than {MAX_STRING_LENGTH} characters"
_NOT_UPDATABLE = "Attribute cannot be updated."


def settable(name: str) -> bool:
    """Whether a provider (or the InboundFederation function) may set attribute ``name`` at all."""
    return name not in _SERVER_OWNED and not name.startswith("cognito:")


def claim_text(value: Any) -> str | None:
    """A claim's value as an attribute value: None (and "") for a claim that is absent; booleans as
    ``true`` / ``false``; numbers as JSON writes them; arrays and objects as compact JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _flag_text(name: str, text: str) -> str:
    # Providers send "True" or "TRUE" too (Apple sends the string "true"); the pool stores true / false.
    return text.lower() if name.endswith("_verified") and text.lower() in ("true", "false") else text


def mapped_attributes(mapping: Mapping[str, str], claims: Mapping[str, Any]) -> dict[str, str]:
    """The attributes ``mapping`` (pool attribute -> claim name) gives from ``claims``, present claims only."""
    mapped: dict[str, str] = {}
    for attribute, claim in mapping.items():
        text = claim_text(claims.get(claim))
        if text is not None and settable(attribute):
            mapped[attribute] = _flag_text(attribute, text)
    return mapped


def settable_only(attributes: Mapping[str, str]) -> dict[str, str]:
    """``attributes`` without the server's own and without empty values."""
    return {name: _flag_text(name, value) for name, value in attributes.items() if settable(name) and value != ""}


def _problems(
    pool: Pool, mapped: Mapping[str, str], writable: frozenset[str] | None, existing_user: bool
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for name, value in mapped.items():
        if len(value) > MAX_STRING_LENGTH:
            problems.append((name, _TOO_LONG))
            continue
        problem = setting_problem(pool, name, value, existing_user=existing_user)
        if problem is None and writable is not None and name not in writable and not name.endswith("_verified"):
            problem = _NOT_UPDATABLE
        if problem is not None:
            problems.append((name, problem))
    return problems


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        reasons = "\n".join(f"{name}: {reason}" for name, reason in problems)
        raise InvalidParameterException(f"Invalid user attributes: {reasons}")


def first_sign_in_attributes(pool: Pool, mapped: Mapping[str, str], writable: frozenset[str] | None) -> dict[str, str]:
    """The attributes of the user a first sign-in creates: ``mapped``, checked against the schema and the client's
    WriteAttributes (``writable``, None for the default), email and phone number unverified unless mapped so."""
    missing = [n for n, d in definitions(pool).items() if d.get("Required") and n != "sub" and not mapped.get(n)]
    if missing:
        raise InvalidParameterException(f"attributes required: [{', '.join(missing)}]")
    _refuse(_problems(pool, mapped, writable, existing_user=False))
    attributes = {name: stored_value(pool, name, value) for name, value in mapped.items()}
    for kind in VERIFIABLE:
        if kind in attributes:
            attributes.setdefault(f"{kind}_verified", "false")
    return attributes


def later_sign_in_attributes(
    pool: Pool, current: Mapping[str, str], mapped: Mapping[str, str], writable: frozenset[str] | None
) -> dict[str, str]:
    """``current`` with every mapped attribute written again; a changed email or phone number is unverified
    unless its flag is mapped."""
    _refuse(_problems(pool, mapped, writable, existing_user=True))
    attributes = dict(current)
    attributes.update({name: stored_value(pool, name, value) for name, value in mapped.items()})
    for kind in VERIFIABLE:
        flag = f"{kind}_verified"
        if kind in mapped and mapped[kind] != current.get(kind) and flag not in mapped:
            attributes[flag] = "false"
    return attributes
