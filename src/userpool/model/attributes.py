"""User attributes checked against the pool's schema, and the sign-in aliases they give a user.

Cognito developer guide: 'Working with user attributes'. Cognito reports schema problems one attribute per line:
``Attributes did not conform to the schema: <name>: <reason>`` when a user is created, and
``user.<name>: <reason>`` when an existing user's attributes change (both forms as AWS sends them).
Email and phone formats have messages of their own ("Invalid email address format.").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool
from userpool.model.schema import CUSTOM_PREFIX, DEV_PREFIX, definitions
from userpool.model.usernames import alias_key

# Lenient on purpose: one @, no whitespace. Self-hosted pools use addresses such as user@localhost.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+", re.ASCII)
# E.164: a plus sign, then at most 15 digits and nothing else (Cognito writes "+14325551212").
_PHONE = re.compile(r"\+[0-9]{1,15}", re.ASCII)
_BIRTHDATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

NOT_IN_SCHEMA = "Attribute does not exist in the schema."
NOT_UPDATABLE = "Attribute cannot be updated."
REQUIRED = "The attribute is required"
# DeleteUserAttributes / AdminDeleteUserAttributes naming a required attribute, in Cognito's words.
REQUIRED_NOT_DELETABLE = "Required attribute cannot be deleted."
VERIFIABLE = ("email", "phone_number")

Problem = tuple[str, str]


def is_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def is_phone(value: str) -> bool:
    return bool(_PHONE.fullmatch(value))


def definition(pool: Pool, name: str) -> dict[str, Any] | None:
    """The schema definition behind an attribute name as clients write it, or None if there is none.

    A developer-only custom attribute is written ``dev:custom:<name>`` and never ``custom:<name>``.
    """
    defs = definitions(pool)
    found = defs.get(name)
    if found is not None:
        if name.startswith(CUSTOM_PREFIX) and found.get("DeveloperOnlyAttribute"):
            return None
        return found
    if name.startswith(DEV_PREFIX):
        found = defs.get(name[len("dev:") :])
        if found is not None and found.get("DeveloperOnlyAttribute"):
            return found
    return None


def _bound(constraints: Mapping[str, Any], key: str) -> int | None:
    raw = constraints.get(key)
    try:
        return None if raw is None or raw == "" else int(raw)
    except (TypeError, ValueError):
        return None


def _string_problem(defn: Mapping[str, Any], value: str) -> str | None:
    constraints = defn.get("StringAttributeConstraints") or {}
    low, high = _bound(constraints, "MinLength"), _bound(constraints, "MaxLength")
    if high is not None and len(value) > high:
        return f"String must be no longer than {high} characters"
    if low is not None and len(value) < low:
        return f"String must be at least {low} characters long"
    return None


def _number_problem(defn: Mapping[str, Any], value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return "Number attribute value must be a number"
    if not number.is_finite():
        return "Number attribute value must be a number"
    constraints = defn.get("NumberAttributeConstraints") or {}
    low, high = _bound(constraints, "MinValue"), _bound(constraints, "MaxValue")
    if low is not None and number < low:
        return f"Number must be no less than {low}"
    if high is not None and number > high:
        return f"Number must be no greater than {high}"
    return None


def _value_problem(name: str, defn: Mapping[str, Any], value: str) -> str | None:
    # The model lets any character through, but PostgreSQL text cannot hold NUL.
    if "\x00" in value:
        return "Attribute value must not contain the NUL character"
    data_type = defn.get("AttributeDataType", "String")
    if data_type == "Boolean":
        return None if value.lower() in ("true", "false") else "Boolean attribute value must be true or false"
    if data_type == "Number":
        return _number_problem(defn, value)
    problem = _string_problem(defn, value)
    if problem is None and name == "birthdate" and not _BIRTHDATE.fullmatch(value):
        return "Date must be in the format YYYY-MM-DD"
    return problem


def _normalised(defn: Mapping[str, Any], value: str) -> str:
    # Booleans are stored as Cognito shows them: "true" / "false".
    return value.lower() if defn.get("AttributeDataType") == "Boolean" else value


def _lines(problems: Iterable[Problem], prefix: str = "") -> str:
    return "".join(f"{prefix}{name}: {reason}\n" for name, reason in problems)


def _check_formats(attributes: Mapping[str, str], names: Iterable[str]) -> None:
    for name in names:
        value = attributes.get(name)
        if not value:
            continue
        if name == "email" and not is_email(value):
            raise InvalidParameterException("Invalid email address format.")
        if name == "phone_number" and not is_phone(value):
            raise InvalidParameterException("Invalid phone number format.")


def _missing_required(pool: Pool, attributes: Mapping[str, str]) -> list[Problem]:
    return [
        (name, REQUIRED)
        for name, defn in definitions(pool).items()
        if defn.get("Required") and name != "sub" and not attributes.get(name)
    ]


def new_user_attributes(pool: Pool, given: Mapping[str, str]) -> dict[str, str]:
    """Validate the attributes of a user being created (AdminCreateUser, SignUp); return them normalised.

    Empty values are left out; ``sub`` is the server's to assign.
    """
    problems: list[Problem] = []
    cleaned: dict[str, str] = {}
    for name, value in given.items():
        defn = definition(pool, name)
        if defn is None:
            problems.append((name, NOT_IN_SCHEMA))
        elif name == "sub":
            problems.append((name, NOT_UPDATABLE))
        elif value != "":
            reason = _value_problem(name, defn, value)
            if reason is None:
                cleaned[name] = _normalised(defn, value)
            else:
                problems.append((name, reason))
    problems += [p for p in _missing_required(pool, cleaned) if p[0] not in given or not given[p[0]]]
    if problems:
        raise InvalidParameterException("Attributes did not conform to the schema: " + _lines(problems))
    _check_formats(cleaned, cleaned)
    return cleaned


def _update_problem(pool: Pool, name: str, value: str) -> str | None:
    defn = definition(pool, name)
    if defn is None:
        return NOT_IN_SCHEMA
    # Immutable attributes may be given only when the user is created.
    if name == "sub" or not defn.get("Mutable", True):
        return NOT_UPDATABLE
    if value == "":
        return REQUIRED if defn.get("Required") else None
    return _value_problem(name, defn, value)


def setting_problem(pool: Pool, name: str, value: str, *, existing_user: bool) -> str | None:
    """Why ``name`` cannot be set to the non-empty ``value`` (None if it can): for a user being created, or
    for an existing one, whose immutable attributes no longer change. Email and phone formats included."""
    problem = _update_problem(pool, name, value) if existing_user else None
    if problem is None:
        defn = definition(pool, name)
        if defn is None:
            return NOT_IN_SCHEMA
        if name == "sub":
            return NOT_UPDATABLE
        problem = _value_problem(name, defn, value)
    if problem is None and name == "email" and not is_email(value):
        return "Invalid email address format."
    if problem is None and name == "phone_number" and not is_phone(value):
        return "Invalid phone number format."
    return problem


def stored_value(pool: Pool, name: str, value: str) -> str:
    """``value`` as it is stored for attribute ``name`` (booleans as ``true`` / ``false``)."""
    defn = definition(pool, name)
    return value if defn is None else _normalised(defn, value)


def _unverify_changed(before: Mapping[str, str], after: dict[str, str], explicit: Iterable[str]) -> None:
    """A changed email or phone number is no longer verified, unless the same write says it is."""
    explicit = set(explicit)
    for kind in VERIFIABLE:
        flag = f"{kind}_verified"
        if after.get(kind) == before.get(kind) or flag in explicit:
            continue
        if kind in after:
            after[flag] = "false"
        else:
            after.pop(flag, None)


def updated_attributes(pool: Pool, current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """The attributes after an admin's update (AdminUpdateUserAttributes): an empty value deletes one,
    and changing email / phone_number un-verifies it unless ``*_verified`` is set in the same call."""
    problems: list[Problem] = []
    for name, value in changes.items():
        reason = _update_problem(pool, name, value)
        if reason is not None:
            problems.append((name, reason))
    if problems:
        raise InvalidParameterException(_lines(problems, prefix="user."))
    result = dict(current)
    for name, value in changes.items():
        defn = definition(pool, name)
        if value == "":
            result.pop(name, None)
        elif defn is not None:
            result[name] = _normalised(defn, value)
    _check_formats(result, changes)
    _unverify_changed(current, result, (n for n, v in changes.items() if v != ""))
    return result


def attributes_without(pool: Pool, current: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The attributes after deleting ``names`` (AdminDeleteUserAttributes); required ones cannot go."""
    names = list(dict.fromkeys(names))
    problems: list[Problem] = []
    required: list[str] = []
    for name in names:
        defn = definition(pool, name)
        if defn is None:
            problems.append((name, NOT_IN_SCHEMA))
        elif name == "sub" or not defn.get("Mutable", True):
            problems.append((name, NOT_UPDATABLE))
        elif defn.get("Required"):
            required.append(name)
    if problems:
        raise InvalidParameterException(_lines(problems, prefix="user."))
    if required:
        # Cognito's own form: "Invalid user attributes: phone_number: Required attribute cannot be deleted."
        reasons = "\n".join(f"{name}: {REQUIRED_NOT_DELETABLE}" for name in required)
        raise InvalidParameterException(f"Invalid user attributes: {reasons}")
    result = {k: v for k, v in current.items() if k not in names}
    # Without the address there is nothing left to be verified.
    for kind in VERIFIABLE:
        if kind in names:
            result.pop(f"{kind}_verified", None)
    return result


def username_attribute(pool: Pool, username: str) -> str | None:
    """Which attribute a new user's Username is, in a pool with UsernameAttributes.

    None for other pools; raises InvalidParameterException for a Username the pool's sign-in rules refuse.
    """
    allowed = list(pool.config.get("UsernameAttributes") or [])
    if allowed:
        if "email" in allowed and is_email(username):
            return "email"
        if "phone_number" in allowed and is_phone(username):
            return "phone_number"
        if allowed == ["email"]:
            raise InvalidParameterException("Username should be an email.")
        if allowed == ["phone_number"]:
            raise InvalidParameterException("Username should be a phone number.")
        raise InvalidParameterException("Username should be either an email or a phone number.")
    aliases = pool.config.get("AliasAttributes") or []
    # Otherwise a username could shadow another user's email or phone alias.
    if "email" in aliases and is_email(username):
        raise InvalidParameterException(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in aliases and is_phone(username):
        raise InvalidParameterException(
            "Username cannot be of phone number format, since user pool is configured for phone number alias."
        )
    return None


def aliases_for(pool: Pool, attributes: Mapping[str, str]) -> tuple[str, ...]:
    """The alias keys a user with ``attributes`` signs in with, besides the username (AliasAttributes).

    UsernameAttributes: email / phone_number, verified or not. AliasAttributes: a *verified*
    email / phone_number, and preferred_username.
    """
    username_attrs = pool.config.get("UsernameAttributes") or []
    alias_attrs = pool.config.get("AliasAttributes") or []
    keys: list[str] = []
    for kind in VERIFIABLE:
        value = attributes.get(kind)
        if not value:
            continue
        if kind in username_attrs or (kind in alias_attrs and attributes.get(f"{kind}_verified") == "true"):
            keys.append(alias_key(pool, kind, value))
    preferred = attributes.get("preferred_username")
    if preferred and "preferred_username" in alias_attrs:
        keys.append(alias_key(pool, "preferred_username", preferred))
    return tuple(sorted(keys))


def alias_kind(key: str) -> str:
    """``email`` for the alias key ``email:<value>``."""
    return key.split(":", 1)[0]


def is_username_alias(pool: Pool, key: str) -> bool:
    """True when the alias is the pool's sign-in identifier itself (UsernameAttributes)."""
    return alias_kind(key) in (pool.config.get("UsernameAttributes") or [])
