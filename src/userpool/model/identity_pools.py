"""Identity pools (Amazon Cognito Identity): the stored records and the rules of their configuration.

An identity pool (``<region>:<GUID>``) gives identities (``<region>:<GUID>``) to the users of the providers it
trusts (this server's user pools, a developer provider) and to guests, and OpenID tokens and AWS credentials to
those identities (Cognito developer guide: 'Identity pools authentication flow'). Its configuration is kept as
CreateIdentityPool's members under their wire names, its roles as SetIdentityPoolRoles' ``Roles`` and
``RoleMappings``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.errors import InvalidParameterException

# The members CreateIdentityPool and UpdateIdentityPool set (IdentityPoolName and the tags apart), with the value
# each has when a request leaves it out ("If you don't provide a value for a parameter, Amazon Cognito sets it to
# its default value."). DeveloperProviderName has none: it is absent until set.
CONFIG_DEFAULTS: dict[str, Any] = {
    "AllowUnauthenticatedIdentities": False,
    "AllowClassicFlow": False,
    "SupportedLoginProviders": {},
    "OpenIdConnectProviderARNs": [],
    "CognitoIdentityProviders": [],
    "SamlProviderARNs": [],
}
DEVELOPER_PROVIDER_NAME = "DeveloperProviderName"
# SetPrincipalTagAttributeMap's mappings, by provider name, kept beside the configuration (UpdateIdentityPool keeps
# them). UseDefaults maps these tags to these claims of a user pool's ID token.
PRINCIPAL_TAG_MAPS = "PrincipalTagAttributeMaps"
DEFAULT_PRINCIPAL_TAGS = {"username": "sub", "client": "aud"}
# "An identity pool can have as many as 50 tags." (TagResource API reference)
MAX_TAGS = 50
AUTHENTICATED = "authenticated"
UNAUTHENTICATED = "unauthenticated"


@dataclass(frozen=True, slots=True)
class IdentityPool:
    id: str
    name: str
    # CONFIG_DEFAULTS' members, and DeveloperProviderName once set.
    config: dict[str, Any]
    # SetIdentityPoolRoles: {"Roles": {...}, "RoleMappings": {...}}.
    roles: dict[str, Any]
    tags: dict[str, str]
    created_at: float
    updated_at: float

    @property
    def region(self) -> str:
        return region_of(self.id)

    @property
    def developer_provider(self) -> str | None:
        name = self.config.get(DEVELOPER_PROVIDER_NAME)
        return str(name) if name else None

    @property
    def allows_guests(self) -> bool:
        return bool(self.config.get("AllowUnauthenticatedIdentities"))

    @property
    def allows_classic_flow(self) -> bool:
        return bool(self.config.get("AllowClassicFlow"))

    @property
    def cognito_providers(self) -> list[dict[str, Any]]:
        """CognitoIdentityProviders: ProviderName, ClientId and ServerSideTokenCheck of each."""
        return list(self.config.get("CognitoIdentityProviders", []))

    @property
    def other_providers(self) -> list[str]:
        """The names of the pool's providers that are not user pools: SupportedLoginProviders' keys, and the ARNs
        of its OIDC and SAML providers."""
        config = self.config
        names = list(config.get("SupportedLoginProviders", {}))
        return names + list(config.get("OpenIdConnectProviderARNs", [])) + list(config.get("SamlProviderARNs", []))

    def role(self, kind: str) -> str | None:
        """The default role ARN for ``authenticated`` or ``unauthenticated`` identities, if one is set."""
        found = self.roles.get("Roles", {}).get(kind)
        return str(found) if found else None

    def role_mapping(self, key: str) -> dict[str, Any] | None:
        found = self.roles.get("RoleMappings", {}).get(key)
        return dict(found) if found else None


@dataclass(frozen=True, slots=True)
class Identity:
    """An identity of a pool. ``disabled``: merged into another identity (its logins moved there), after which
    it gives no tokens or credentials."""

    id: str
    pool_id: str
    created_at: float
    updated_at: float
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class IdentityLogin:
    """A login linked to an identity: a provider (a user pool's provider name, or the pool's developer provider
    name) and the user's identifier there (the user pool user's ``sub``, the developer user identifier). A
    login belongs to at most one identity of a pool."""

    pool_id: str
    provider: str
    subject: str
    identity_id: str
    created_at: float


@dataclass(frozen=True, slots=True)
class IdentitySigningKey:
    """A key the identity pools sign OpenID tokens with (one current key for the whole server, as one issuer
    signs every pool's tokens); retired keys stay published until ``expires_at``."""

    kid: str
    generation: int
    private_pem: str
    public_jwk: dict[str, Any]
    created_at: float
    current: bool = True
    retired_at: float | None = None
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class PublishedIdentityKey:
    kid: str
    public_jwk: dict[str, Any]
    expires_at: float | None = None


def new_identity_pool_id(region: str) -> str:
    """``<region>:<GUID>``, the IdentityPoolId pattern ``[\\w-]+:[0-9a-f-]+``."""
    return f"{region}:{uuid.uuid4()}"


new_identity_id = new_identity_pool_id


def region_of(identifier: str) -> str:
    """The region part of an identity pool or identity id."""
    return identifier.split(":", 1)[0]


def identity_pool_arn(pool_id: str, account_id: str) -> str:
    return f"arn:aws:cognito-identity:{region_of(pool_id)}:{account_id}:identitypool/{pool_id}"


_POOL_ARN = re.compile(r"arn:aws[\w-]*:cognito-identity:([\w-]+):(\d{12}):identitypool/([\w-]+:[0-9a-f-]+)")


def pool_id_of_arn(arn: str, account_id: str) -> str | None:
    """The identity pool an ARN names in this account and its region, or None for any other ARN."""
    match = _POOL_ARN.fullmatch(arn)
    if match is None:
        return None
    region, account, pool_id = match.groups()
    return pool_id if account == account_id and region_of(pool_id) == region else None


def _cognito_providers(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    providers = []
    for provider in given:
        if not provider.get("ProviderName") or not provider.get("ClientId"):
            # What AWS answers for a CognitoIdentityProvider without one of the two.
            raise InvalidParameterException("Invalid Cognito Identity Provider")
        providers.append(
            {
                "ProviderName": provider["ProviderName"],
                "ClientId": provider["ClientId"],
                "ServerSideTokenCheck": bool(provider.get("ServerSideTokenCheck", False)),
            }
        )
    return providers


def checked_tags(tags: dict[str, str]) -> dict[str, str]:
    """``tags`` if an identity pool may carry them: at most 50, none in the reserved ``aws:`` namespace."""
    reserved = sorted(k for k in tags if k.lower().startswith("aws:"))
    if reserved:
        raise InvalidParameterException(f"Tag keys starting with 'aws:' are reserved: {', '.join(reserved)}")
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(
            f"An identity pool can have at most {MAX_TAGS} tags; this would make {len(tags)}."
        )
    return tags


def pool_config(req: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The configuration CreateIdentityPool (``current`` None) or UpdateIdentityPool stores: every member the
    request sets, its default where it sets none. DeveloperProviderName, once set, cannot change ("Once you have
    set a developer provider name, you cannot change it"): an update that leaves it out keeps it."""
    config: dict[str, Any] = {name: req.get(name, default) for name, default in CONFIG_DEFAULTS.items()}
    config["CognitoIdentityProviders"] = _cognito_providers(config["CognitoIdentityProviders"])
    before = (current or {}).get(DEVELOPER_PROVIDER_NAME)
    wanted = req.get(DEVELOPER_PROVIDER_NAME)
    if before and wanted and wanted != before:
        raise InvalidParameterException("DeveloperProviderName cannot be changed once it is set.")
    if before or wanted:
        config[DEVELOPER_PROVIDER_NAME] = before or wanted
    if (current or {}).get(PRINCIPAL_TAG_MAPS):
        config[PRINCIPAL_TAG_MAPS] = (current or {})[PRINCIPAL_TAG_MAPS]
    return config


def with_principal_tag_map(pool: IdentityPool, provider: str, mapping: dict[str, Any]) -> dict[str, Any]:
    """The pool's configuration with ``provider``'s SetPrincipalTagAttributeMap mapping replaced."""
    maps = {**pool.config.get(PRINCIPAL_TAG_MAPS, {}), provider: mapping}
    return {**pool.config, PRINCIPAL_TAG_MAPS: maps}


def principal_tag_map(pool: IdentityPool, provider: str) -> dict[str, Any]:
    """GetPrincipalTagAttributeMap's answer for ``provider``: UseDefaults and PrincipalTags (tag -> claim)."""
    found = pool.config.get(PRINCIPAL_TAG_MAPS, {}).get(provider)
    return dict(found) if found else {"UseDefaults": False, "PrincipalTags": {}}


def principal_tags(pool: IdentityPool, provider: str, claims: Mapping[str, Any]) -> dict[str, str]:
    """The principal tags of a login from ``provider`` whose token has ``claims``: each mapped tag whose claim the
    token has (a list claim's items joined by commas)."""
    tags: dict[str, str] = {}
    for tag, claim in principal_tag_map(pool, provider)["PrincipalTags"].items():
        value = claims.get(claim)
        if value is None:
            continue
        tags[tag] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return tags


def describe(pool: IdentityPool) -> dict[str, Any]:
    """IdentityPool, the shape Create/Describe/UpdateIdentityPool answer with."""
    body: dict[str, Any] = {"IdentityPoolId": pool.id, "IdentityPoolName": pool.name}
    for name in CONFIG_DEFAULTS:
        body[name] = pool.config.get(name, CONFIG_DEFAULTS[name])
    if pool.developer_provider:
        body[DEVELOPER_PROVIDER_NAME] = pool.developer_provider
    body["IdentityPoolTags"] = dict(pool.tags)
    return body
