"""The attribute schema of a pool: Cognito's standard attributes plus ``custom:`` ones.

DescribeUserPool lists every standard attribute with its defaults (IaC tools diff against them), then the
custom attributes (spec users-attributes-policies §2–3).
"""

from __future__ import annotations

import copy
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.records import Pool

CUSTOM_PREFIX = "custom:"
DEV_PREFIX = "dev:custom:"
MAX_CUSTOM_ATTRIBUTES = 50


def _string(name: str, *, mutable: bool = True, required: bool = False, min_len: str = "0") -> dict[str, Any]:
    max_len = "10" if name == "birthdate" else "2048"
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


def _custom_definition(requested: dict[str, Any]) -> dict[str, Any]:
    name = requested.get("Name") or ""
    if name.startswith(CUSTOM_PREFIX):
        name = name[len(CUSTOM_PREFIX) :]
    if not name or len(name) > 20:
        raise InvalidParameterException("Custom attribute names must be 1 to 20 characters long.")
    if requested.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    data_type = requested.get("AttributeDataType", "String")
    definition: dict[str, Any] = {
        "Name": CUSTOM_PREFIX + name,
        "AttributeDataType": data_type,
        "DeveloperOnlyAttribute": bool(requested.get("DeveloperOnlyAttribute", False)),
        "Mutable": bool(requested.get("Mutable", True)),
        "Required": False,
    }
    if data_type == "String":
        constraints = requested.get("StringAttributeConstraints") or {}
        definition["StringAttributeConstraints"] = {
            k: v for k, v in constraints.items() if k in ("MinLength", "MaxLength")
        } or {}
    elif data_type == "Number":
        constraints = requested.get("NumberAttributeConstraints") or {}
        definition["NumberAttributeConstraints"] = {
            k: v for k, v in constraints.items() if k in ("MinValue", "MaxValue")
        } or {}
    return definition


def custom_definitions(requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Definitions for new ``custom:`` attributes as Cognito stores and echoes them."""
    return [_custom_definition(a) for a in requested]


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The full SchemaAttributes of a new pool: standard attributes (with any overrides) + custom ones."""
    standard = {a["Name"]: copy.deepcopy(a) for a in STANDARD_ATTRIBUTES}
    custom: list[dict[str, Any]] = []
    for item in requested or []:
        name = item.get("Name", "")
        if name in standard:
            target = standard[name]
            changes_type = item.get("AttributeDataType", target["AttributeDataType"]) != target["AttributeDataType"]
            if changes_type or item.get("DeveloperOnlyAttribute"):
                raise InvalidParameterException(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard "
                    f"schema attribute {name}"
                )
            for key in ("Mutable", "Required"):
                if key in item:
                    target[key] = bool(item[key])
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if item.get(key) and key in target:
                    target[key].update(item[key])
        else:
            custom.append(_custom_definition(item))
    names = [c["Name"] for c in custom]
    if len(set(names)) != len(names):
        raise InvalidParameterException("Existing attribute already has name " + _first_duplicate(names) + ".")
    if len(custom) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException("A user pool can have at most 50 custom attributes.")
    return list(standard.values()) + custom


def _first_duplicate(names: list[str]) -> str:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return ""


def definitions(pool: Pool) -> dict[str, dict[str, Any]]:
    """Attribute name (as clients send it, e.g. ``custom:team``) -> its schema definition."""
    return {a["Name"]: a for a in pool.config.get("SchemaAttributes", [])}
