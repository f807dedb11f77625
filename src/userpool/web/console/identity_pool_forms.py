"""The identity pool forms: the pool's settings (Create/UpdateIdentityPool) and its roles and role mappings
(SetIdentityPoolRoles), each as the request it sends and as the values it shows for a pool as DescribeIdentityPool
and GetIdentityPoolRoles give it.

Lists the API takes as maps or lists are text, one entry per line (``graph.facebook.com=app id``, ARNs, tags
``key=value``); user pool providers and mapping rules are rows of fields, a few blank ones added for new
entries, a blank row skipped.
"""

from __future__ import annotations

from typing import Any

from userpool.web.console.frame import BadForm, Page

IDENTITY = "AWSCognitoIdentityService."
BLANK_ROWS = 2
MAX_ROWS = 100
MATCH_TYPES = ("Equals", "Contains", "StartsWith", "NotEqual")
MAPPING_TYPES = (("", "Default roles"), ("Token", "Choose role from token"), ("Rules", "Choose role with rules"))
RESOLUTIONS = (("AuthenticatedRole", "Use the authenticated role"), ("Deny", "Deny"))
FLAGS = ("allow_guests", "classic_flow")
MULTI = ("provider_name", "client_id", "token_check")
# API paths of validation messages -> the form's fields.
FIELDS = {
    "identityPoolName": "name",
    "developerProviderName": "developer_provider",
    "cognitoIdentityProviders": "providers",
    "supportedLoginProviders": "login_providers",
    "openIdConnectProviderARNs": "oidc_arns",
    "samlProviderARNs": "saml_arns",
    "identityPoolTags": "tags",
}
ROLE_FIELDS = {"roles.authenticated": "authenticated_role", "roles.unauthenticated": "unauthenticated_role"}


def operation(name: str) -> str:
    """A cognito-identity operation, as the console's invoke names it (api/direct.py)."""
    return IDENTITY + name


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _pairs(page: Page, name: str, text: str) -> dict[str, str]:
    """``key=value`` per line; a line without ``=`` is noted at its field."""
    found: dict[str, str] = {}
    for line in _lines(text):
        key, sep, value = line.partition("=")
        if not sep:
            page.errors.note(name, f"'{line}' is not key=value.")
            continue
        found[key.strip()] = value.strip()
    return found


def _rows(page: Page, *names: str) -> list[tuple[str, ...]]:
    columns = [page.values(name) for name in names]
    if len({len(c) for c in columns}) > 1 or len(columns[0]) > MAX_ROWS:
        raise BadForm("rows")
    return [tuple(v.strip() for v in row) for row in zip(*columns, strict=True)]


def pool_request(page: Page) -> dict[str, Any]:
    """Create/UpdateIdentityPool's members from the settings form (IdentityPoolId added by the caller)."""
    providers = [
        # A half-filled row is sent as it is, without its empty member: the API says what is missing.
        {k: v for k, v in (("ProviderName", name), ("ClientId", client)) if v}
        | {"ServerSideTokenCheck": check == "yes"}
        for name, client, check in _rows(page, "provider_name", "client_id", "token_check")
        if name or client
    ]
    request: dict[str, Any] = {
        "IdentityPoolName": page.text("name"),
        "AllowUnauthenticatedIdentities": page.checked("allow_guests"),
        "AllowClassicFlow": page.checked("classic_flow"),
        "SupportedLoginProviders": _pairs(page, "login_providers", page.raw("login_providers")),
        "CognitoIdentityProviders": providers,
        "OpenIdConnectProviderARNs": _lines(page.raw("oidc_arns")),
        "SamlProviderARNs": _lines(page.raw("saml_arns")),
        "IdentityPoolTags": _pairs(page, "tags", page.raw("tags")),
    }
    if page.text("developer_provider"):
        request["DeveloperProviderName"] = page.text("developer_provider")
    return request


def pool_values(pool: dict[str, Any] | None) -> dict[str, Any]:
    """The settings form's values for a pool as DescribeIdentityPool gives it (a new pool's: none)."""
    pool = pool or {}
    providers = pool.get("CognitoIdentityProviders", [])
    return {
        "name": pool.get("IdentityPoolName", ""),
        "allow_guests": pool.get("AllowUnauthenticatedIdentities", False),
        "classic_flow": pool.get("AllowClassicFlow", False),
        "developer_provider": pool.get("DeveloperProviderName", ""),
        "provider_name": [p["ProviderName"] for p in providers],
        "client_id": [p["ClientId"] for p in providers],
        "token_check": ["yes" if p.get("ServerSideTokenCheck") else "no" for p in providers],
        "login_providers": "\n".join(f"{k}={v}" for k, v in pool.get("SupportedLoginProviders", {}).items()),
        "oidc_arns": "\n".join(pool.get("OpenIdConnectProviderARNs", [])),
        "saml_arns": "\n".join(pool.get("SamlProviderARNs", [])),
        "tags": "\n".join(f"{k}={v}" for k, v in pool.get("IdentityPoolTags", {}).items()),
    }


def echo(page: Page) -> dict[str, Any]:
    """The settings form as sent, to show again after an error."""
    texts = ("name", "developer_provider", "login_providers", "oidc_arns", "saml_arns", "tags")
    values: dict[str, Any] = {key: page.raw(key) for key in texts}
    values |= {name: page.values(name) for name in MULTI}
    values |= {flag: page.checked(flag) for flag in FLAGS}
    return values


def provider_rows(values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The user pool provider rows to show: the values' and BLANK_ROWS more."""
    rows = list(zip(values["provider_name"], values["client_id"], values["token_check"], strict=False))
    return rows + [("", "", "no")] * BLANK_ROWS


def mapping_keys(pool: dict[str, Any]) -> list[str]:
    """The providers a role mapping may be set for, as RoleMappings keys name them."""
    keys = [f"{p['ProviderName']}:{p['ClientId']}" for p in pool.get("CognitoIdentityProviders", [])]
    keys += list(pool.get("SupportedLoginProviders", {}))
    keys += [str(arn) for arn in pool.get("OpenIdConnectProviderARNs", [])]
    return keys + [str(arn) for arn in pool.get("SamlProviderARNs", [])]


def roles_request(page: Page, keys: list[str]) -> dict[str, Any]:
    """SetIdentityPoolRoles' Roles and RoleMappings from the roles form: for provider ``i`` of ``keys``, its
    fields ``type_i``, ``ambiguous_i`` and rows ``claim_i``, ``match_i``, ``value_i``, ``role_i``."""
    roles = {
        kind: page.text(f"{kind}_role") for kind in ("authenticated", "unauthenticated") if page.text(f"{kind}_role")
    }
    mappings: dict[str, Any] = {}
    for i, key in enumerate(keys):
        kind = page.text(f"type_{i}")
        if not kind:
            continue
        mapping: dict[str, Any] = {"Type": kind, "AmbiguousRoleResolution": page.text(f"ambiguous_{i}")}
        rules = [
            {"Claim": claim, "MatchType": match, "Value": value, "RoleARN": role}
            for claim, match, value, role in _rows(page, f"claim_{i}", f"match_{i}", f"value_{i}", f"role_{i}")
            if claim or value or role
        ]
        if kind == "Rules" and rules:
            # None left out: the API says a Rules mapping needs them. A Token mapping's rows are not sent.
            mapping["RulesConfiguration"] = {"Rules": rules}
        mappings[key] = mapping
    return {"Roles": roles, "RoleMappings": mappings}


def roles_values(roles: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The roles form's values for GetIdentityPoolRoles' answer."""
    values: dict[str, Any] = {
        "authenticated_role": roles.get("Roles", {}).get("authenticated", ""),
        "unauthenticated_role": roles.get("Roles", {}).get("unauthenticated", ""),
    }
    for i, key in enumerate(keys):
        mapping = roles.get("RoleMappings", {}).get(key, {})
        rules = mapping.get("RulesConfiguration", {}).get("Rules", [])
        values[f"type_{i}"] = mapping.get("Type", "")
        values[f"ambiguous_{i}"] = mapping.get("AmbiguousRoleResolution", "AuthenticatedRole")
        for column, member in (("claim", "Claim"), ("match", "MatchType"), ("value", "Value"), ("role", "RoleARN")):
            values[f"{column}_{i}"] = [r[member] for r in rules]
    return values


def roles_echo(page: Page, keys: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {k: page.text(k) for k in ("authenticated_role", "unauthenticated_role")}
    for i in range(len(keys)):
        values[f"type_{i}"] = page.text(f"type_{i}")
        values[f"ambiguous_{i}"] = page.text(f"ambiguous_{i}")
        for column in ("claim", "match", "value", "role"):
            values[f"{column}_{i}"] = page.values(f"{column}_{i}")
    return values


def rule_rows(values: dict[str, Any], i: int) -> list[tuple[str, str, str, str]]:
    """Provider ``i``'s rule rows to show: the values' and BLANK_ROWS more."""
    columns = [values.get(f"{c}_{i}", []) for c in ("claim", "match", "value", "role")]
    rows = list(zip(*columns, strict=False))
    return rows + [("", "Equals", "", "")] * BLANK_ROWS
