"""The attribute schema of a pool: Cognito's standard attributes plus ``custom:`` and ``dev:custom:`` ones.

DescribeUserPool lists every standard attribute with its defaults (IaC tools diff against them), then the custom
attributes in the order they were added (Cognito developer guide: 'Working with user attributes'). Error wording follows
what moto measured against Cognito (``user.<name>: ...``, "Existing attribute already has name ...").
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool

CUSTOM_PREFIX = "custom:"
DEV_PREFIX = "dev:custom:"
MAX_CUSTOM_ATTRIBUTES = 50
MAX_STRING_LENGTH = 2048
# GetCSVHeader ends every header with these two import-only columns (AWS CLI get-csv-header output).
CSV_TRAILER = ("cognito:mfa_enabled", "cognito:username")


def _string(name: str, *, mutable: bool = True, required: bool = False, min_len: str = "0") -> dict[str, Any]:
    max_len = "10" if name == "birthdate" else str(MAX_STRING_LENGTH)
    return {
        "Name": name,
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False,
        "Mutable": mutable,
        "Required": required,
        "StringAttributeConstraints": {"MinLength": min_len, "MaxLength": max_len},
    }


def _boolean(name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "AttributeDataType": "Boolean",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
    }


STANDARD_ATTRIBUTES: tuple[dict[str, Any], ...] = (
    _string("sub", mutable=False, required=True, min_len="1"),
    _string("name"),
    _string("given_name"),
    _string("family_name"),
    _string("middle_name"),
    _string("nickname"),
    _string("preferred_username"),
    _string("profile"),
    _string("picture"),
    _string("website"),
    _string("email"),
    _boolean("email_verified"),
    _string("gender"),
    _string("birthdate", min_len="10"),
    _string("zoneinfo"),
    _string("locale"),
    _string("phone_number"),
    _boolean("phone_number_verified"),
    _string("address"),
    {
        "Name": "updated_at",
        "AttributeDataType": "Number",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "NumberAttributeConstraints": {"MinValue": "0"},
    },
)
STANDARD_NAMES = frozenset(a["Name"] for a in STANDARD_ATTRIBUTES)
_CONSTRAINT_KEYS = {
    "String": ("StringAttributeConstraints", "MinLength", "MaxLength"),
    "Number": ("NumberAttributeConstraints", "MinValue", "MaxValue"),
}


def _bound(value: Any, kind: str, name: str) -> int | None:
    """A constraint bound: Cognito sends integers as strings; anything else is refused."""
    if value is None or value == "":
        return None
    try:
        parsed = int(str(value))
    except ValueError:
        raise InvalidParameterException(f"Invalid {kind} for schema attribute {name}") from None
    if kind == "StringAttributeConstraints" and parsed < 0:
        raise InvalidParameterException(f"Invalid {kind} for schema attribute {name}")
    return parsed


def _constraints(name: str, data_type: str, given: dict[str, Any] | None) -> dict[str, str] | None:
    """The constraints document of a String or Number attribute, checked as Cognito checks it."""
    if data_type not in _CONSTRAINT_KEYS:
        return None
    kind, low_key, high_key = _CONSTRAINT_KEYS[data_type]
    given = given or {}
    low, high = _bound(given.get(low_key), kind, name), _bound(given.get(high_key), kind, name)
    if data_type == "String":
        if (low or 0) > MAX_STRING_LENGTH or (high or 0) > MAX_STRING_LENGTH:
            raise InvalidParameterException(f"user.{name}: String attributes cannot have a length of more than 2048")
        if low is not None and high is not None and low > high:
            raise InvalidParameterException(f"user.{name}: Max length cannot be less than min length.")
    elif low is not None and high is not None and low > high:
        raise InvalidParameterException(f"user.{name}: Max value cannot be less than min value.")
    return {k: str(given[k]) for k in (low_key, high_key) if given.get(k) not in (None, "")}


def custom_definition(requested: dict[str, Any]) -> dict[str, Any]:
    """The stored definition of one new custom attribute (CreateUserPool Schema / AddCustomAttributes)."""
    base = str(requested.get("Name") or "")
    if base.startswith(CUSTOM_PREFIX):
        base = base[len(CUSTOM_PREFIX) :]
    if not base or len(base) > 20:
        raise InvalidParameterException("Custom attribute names must be 1 to 20 characters long.")
    data_type = requested.get("AttributeDataType")
    if not data_type:
        raise InvalidParameterException(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
        )
    if requested.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    developer_only = bool(requested.get("DeveloperOnlyAttribute", False))
    name = (DEV_PREFIX if developer_only else CUSTOM_PREFIX) + base
    definition: dict[str, Any] = {
        "Name": name,
        "AttributeDataType": data_type,
        "DeveloperOnlyAttribute": developer_only,
        "Mutable": bool(requested.get("Mutable", True)),
        "Required": False,
    }
    if data_type in _CONSTRAINT_KEYS:
        key = _CONSTRAINT_KEYS[data_type][0]
        # Cognito echoes an empty constraints document for a custom String/Number defined without one.
        definition[key] = _constraints(name, data_type, requested.get(key))
    return definition


def _override_standard(target: dict[str, Any], item: dict[str, Any]) -> None:
    """Apply a Schema entry naming a standard attribute: only Required, Mutable and constraints may change."""
    name = target["Name"]
    changes_type = item.get("AttributeDataType", target["AttributeDataType"]) != target["AttributeDataType"]
    if changes_type or item.get("DeveloperOnlyAttribute"):
        raise InvalidParameterException(
            f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )
    for key in ("Mutable", "Required"):
        if key in item:
            target[key] = bool(item[key])
    key = _CONSTRAINT_KEYS.get(target["AttributeDataType"], ("",))[0]
    if key and item.get(key):
        merged = {**target[key], **item[key]}
        target[key] = _constraints(name, target["AttributeDataType"], merged)


def _existing(name: str, taken: set[str]) -> None:
    if name in taken:
        raise InvalidParameterException(f"{name}: Existing attribute already has name {name}.")
    taken.add(name)


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The full SchemaAttributes of a new pool: standard attributes (with any overrides) + custom ones."""
    standard = {a["Name"]: copy.deepcopy(a) for a in STANDARD_ATTRIBUTES}
    custom: list[dict[str, Any]] = []
    taken: set[str] = set()
    for item in requested or []:
        name = str(item.get("Name") or "")
        if name in standard:
            _existing(name, taken)
            _override_standard(standard[name], item)
        else:
            definition = custom_definition(item)
            _existing(definition["Name"], taken)
            custom.append(definition)
    _check_custom_count(len(custom))
    return list(standard.values()) + custom


def add_custom(schema: list[dict[str, Any]], requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``schema`` with the AddCustomAttributes definitions appended; existing ones never change."""
    taken = {a["Name"] for a in schema}
    added = [custom_definition(item) for item in requested]
    for definition in added:
        _existing(definition["Name"], taken)
    _check_custom_count(sum(1 for a in schema if a["Name"] not in STANDARD_NAMES) + len(added))
    return [*copy.deepcopy(schema), *added]


def _check_custom_count(count: int) -> None:
    if count > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(
            f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes; this change would make {count}."
        )


def csv_header(schema: list[dict[str, Any]]) -> list[str]:
    """GetCSVHeader's columns: every schema attribute but ``sub`` in schema order, then the cognito: columns."""
    return [a["Name"] for a in schema if a["Name"] != "sub"] + list(CSV_TRAILER)


def definitions(pool: Pool) -> dict[str, dict[str, Any]]:
    """Attribute name (as clients send it, e.g. ``custom:team``) -> its schema definition."""
    return {a["Name"]: a for a in pool.config.get("SchemaAttributes", [])}
