"""The stored configuration of an app client: Cognito's defaults and its semantic rules.

CreateUserPoolClient and UpdateUserPoolClient both build the whole configuration from the request (an
update is a full replace, as the UpdateUserPoolClient API reference says); the document keeps Cognito's wire
member names so DescribeUserPoolClient echoes it member for member, defaults included.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from userpool.errors import InvalidParameterException, NotAuthorizedException
from userpool.model.records import Client
from userpool.model.vocabulary import ExplicitAuthFlow

# CreateUserPoolClient, ExplicitAuthFlows: "If you don't specify a value ..., your app client supports
# ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH."
DEFAULT_AUTH_FLOWS = (
    ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH,
    ExplicitAuthFlow.ALLOW_USER_SRP_AUTH,
    ExplicitAuthFlow.ALLOW_CUSTOM_AUTH,
)
LEGACY_AUTH_FLOWS = frozenset(
    {ExplicitAuthFlow.ADMIN_NO_SRP_AUTH, ExplicitAuthFlow.CUSTOM_AUTH_FLOW_ONLY, ExplicitAuthFlow.USER_PASSWORD_AUTH}
)
_LEGACY_EQUIVALENTS = {
    ExplicitAuthFlow.ADMIN_NO_SRP_AUTH: ExplicitAuthFlow.ALLOW_ADMIN_USER_PASSWORD_AUTH,
    ExplicitAuthFlow.USER_PASSWORD_AUTH: ExplicitAuthFlow.ALLOW_USER_PASSWORD_AUTH,
}

CLIENT_TOKEN_ALONE = "ALLOW_CLIENT_TOKEN_AUTH can not be combined with other ExplicitAuthFlows values."  # noqa: S105
CLIENT_TOKEN_NEEDS_SECRET = "ALLOW_CLIENT_TOKEN_AUTH can not be selected if client does not have a client secret."  # noqa: S105 (a message)

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
DEFAULT_AUTH_SESSION_MINUTES = 3

# Verification flags are set by Cognito (or an administrator), never by an app on the user's behalf.
UNWRITABLE_ATTRIBUTES = frozenset({"sub", "email_verified", "phone_number_verified"})


@dataclass(frozen=True, slots=True)
class _Validity:
    member: str
    unit_key: str
    minimum: int
    maximum: int
    default: int
    limits: str


# Allowed durations (AWS: TokenValidityUnitsType and CreateUserPoolClient API references); the model's integer ranges
# are checked before services run.
_VALIDITIES = (
    _Validity("RefreshTokenValidity", "RefreshToken", 3600, 3650 * 86400, 30 * 86400, "60 minutes and 10 years"),
    _Validity("AccessTokenValidity", "AccessToken", 300, 86400, 3600, "5 minutes and 1 day"),
    _Validity("IdTokenValidity", "IdToken", 300, 86400, 3600, "5 minutes and 1 day"),
)


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    """How long an app client's tokens live, in seconds."""

    access: int
    id: int
    refresh: int


def explicit_auth_flows(requested: list[str] | None) -> list[str]:
    """The ExplicitAuthFlows a client stores: Cognito's default set when none are named.

    The legacy names predate the ALLOW_* ones and may not be mixed with them (AWS: CreateUserPoolClient API reference,
    ExplicitAuthFlows).
    """
    if not requested:
        return list(DEFAULT_AUTH_FLOWS)
    flows = list(dict.fromkeys(requested))
    if ExplicitAuthFlow.ALLOW_CLIENT_TOKEN_AUTH in flows and len(flows) > 1:
        # GetClientToken: "ALLOW_CLIENT_TOKEN_AUTH ... must be the only authentication flow that you configure".
        raise InvalidParameterException(CLIENT_TOKEN_ALONE)
    legacy = [f for f in flows if f in LEGACY_AUTH_FLOWS]
    if legacy and len(legacy) != len(flows):
        raise InvalidParameterException(
            "The legacy ExplicitAuthFlows values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and "
            "USER_PASSWORD_AUTH can not be combined with ALLOW_* values."
        )
    return flows


def effective_auth_flows(config: dict[str, Any]) -> frozenset[str]:
    """The ALLOW_* flows a client permits, with legacy names translated (ExplicitAuthFlows).

    A legacy-only client keeps SRP, refresh and custom auth unless CUSTOM_AUTH_FLOW_ONLY narrows it to
    custom auth (plus refresh).
    """
    flows = config.get("ExplicitAuthFlows") or list(DEFAULT_AUTH_FLOWS)
    if not any(f in LEGACY_AUTH_FLOWS for f in flows):
        return frozenset(flows)
    if ExplicitAuthFlow.CUSTOM_AUTH_FLOW_ONLY in flows:
        return frozenset({ExplicitAuthFlow.ALLOW_CUSTOM_AUTH, ExplicitAuthFlow.ALLOW_REFRESH_TOKEN_AUTH})
    return frozenset({*DEFAULT_AUTH_FLOWS, *(_LEGACY_EQUIVALENTS[f] for f in flows if f in _LEGACY_EQUIVALENTS)})


def token_validity(req: dict[str, Any]) -> dict[str, Any]:
    """RefreshTokenValidity, AccessTokenValidity, IdTokenValidity and TokenValidityUnits, defaults filled.

    Each value is counted in its unit (default hours for access/ID, days for refresh); a refresh validity
    of 0 means the 30-day default (CreateUserPoolClient, RefreshTokenValidity).
    """
    requested_units = {k: v for k, v in (req.get("TokenValidityUnits") or {}).items() if v is not None}
    units = {**DEFAULT_UNITS, **requested_units}
    out: dict[str, Any] = {}
    for rule in _VALIDITIES:
        scale = UNIT_SECONDS[units[rule.unit_key]]
        value = req.get(rule.member)
        if value is None or value == 0:
            # A default that the chosen unit cannot express as a whole number stays implicit.
            if rule.default % scale == 0:
                out[rule.member] = rule.default // scale
            continue
        if not rule.minimum <= value * scale <= rule.maximum:
            raise InvalidParameterException(
                f"Invalid range for token validity. {rule.member} must be between {rule.limits}."
            )
        out[rule.member] = value
    out["TokenValidityUnits"] = units
    return out


def token_lifetimes(config: dict[str, Any]) -> TokenLifetimes:
    """The access, ID and refresh token lifetimes in seconds that a stored client configuration grants."""
    units = {**DEFAULT_UNITS, **(config.get("TokenValidityUnits") or {})}
    seconds: dict[str, int] = {}
    for rule in _VALIDITIES:
        value = config.get(rule.member)
        seconds[rule.member] = value * UNIT_SECONDS[units[rule.unit_key]] if value else rule.default
    return TokenLifetimes(
        access=seconds["AccessTokenValidity"],
        id=seconds["IdTokenValidity"],
        refresh=seconds["RefreshTokenValidity"],
    )


def attribute_permissions(req: dict[str, Any], schema: dict[str, dict[str, Any]], verb: str) -> dict[str, Any]:
    """ReadAttributes / WriteAttributes, checked against the pool's schema.

    Cognito only echoes these when the client named its own set (CreateUserPoolClient, ReadAttributes).
    ``verb`` is "creating" or "updating", as in Cognito's messages.
    """
    out: dict[str, Any] = {}
    readable = {n for n, d in schema.items() if not d.get("DeveloperOnlyAttribute")}
    read = req.get("ReadAttributes")
    if read:
        if any(name not in readable for name in read):
            raise InvalidParameterException(f"Invalid read attributes specified while {verb} a client")
        out["ReadAttributes"] = list(read)
    write = req.get("WriteAttributes")
    if write:
        writable = readable - UNWRITABLE_ATTRIBUTES
        # Sign-up through this client must be able to set every required attribute.
        required = {n for n, d in schema.items() if d.get("Required") and n in writable}
        if any(name not in writable for name in write) or not required <= set(write):
            raise InvalidParameterException(f"Invalid write attributes specified while {verb} a client")
        out["WriteAttributes"] = list(write)
    return out


def redirect_settings(req: dict[str, Any]) -> dict[str, Any]:
    """The OAuth members a client stores as given, non-empty ones only, in Cognito's response order."""
    out: dict[str, Any] = {}
    for name in (
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
    ):
        value = req.get(name)
        if value:
            out[name] = list(dict.fromkeys(value)) if isinstance(value, list) else value
    out["AllowedOAuthFlowsUserPoolClient"] = bool(req.get("AllowedOAuthFlowsUserPoolClient"))
    return out


def behaviour_settings(req: dict[str, Any], has_secret: bool) -> dict[str, Any]:
    """The remaining client switches with Cognito's defaults (AWS: CreateUserPoolClient API reference)."""
    propagate = req.get("EnablePropagateAdditionalUserContextData")
    if propagate and not has_secret:
        # CreateUserPoolClient: "You can only activate EnablePropagateAdditionalUserContextData in an app
        # client that has a client secret."
        raise InvalidParameterException(
            "EnablePropagateAdditionalUserContextData can only be activated for an app client with a client secret."
        )
    out: dict[str, Any] = {}
    if req.get("AnalyticsConfiguration"):
        out["AnalyticsConfiguration"] = copy.deepcopy(req["AnalyticsConfiguration"])
    prevent = req.get("PreventUserExistenceErrors")
    revocation = req.get("EnableTokenRevocation")
    session = req.get("AuthSessionValidity")
    out["PreventUserExistenceErrors"] = prevent or "LEGACY"
    out["EnableTokenRevocation"] = True if revocation is None else bool(revocation)
    out["EnablePropagateAdditionalUserContextData"] = bool(propagate)
    out["AuthSessionValidity"] = DEFAULT_AUTH_SESSION_MINUTES if session is None else session
    if req.get("RefreshTokenRotation"):
        out["RefreshTokenRotation"] = copy.deepcopy(req["RefreshTokenRotation"])
    return out


UNAUTHORIZED_ATTRIBUTE = "A client attempted to write unauthorized attribute"


def check_writable(config: dict[str, Any], names: Iterable[str], in_schema: Callable[[str], bool]) -> None:
    """Refuse attributes an app client may not write for its user: its WriteAttributes, or by default every attribute
    but ``sub`` and the ``*_verified`` flags (AWS: CreateUserPoolClient API reference, WriteAttributes). Names outside
    the schema (``in_schema`` false) are left to the schema check, which words its own error."""
    allowed = config.get("WriteAttributes")
    for name in names:
        if not in_schema(name):
            continue
        # Developer-only attributes are written by SigV4-signed administrators, never by an app.
        if name.startswith("dev:") or name in UNWRITABLE_ATTRIBUTES or (allowed is not None and name not in allowed):
            raise NotAuthorizedException(UNAUTHORIZED_ATTRIBUTE)


# Reading a stored client's settings. Services and entry points read a client's configuration document
# through these (tests/unit/test_settings_access.py keeps it so), so each member's name and default is
# written once.


def write_attributes(client: Client) -> frozenset[str] | None:
    """WriteAttributes: the attributes the client may write for its user; None when it named none (then every
    attribute but ``sub`` and the ``*_verified`` flags)."""
    chosen = client.config.get("WriteAttributes")
    return None if chosen is None else frozenset(chosen)


def auth_session_seconds(client: Client) -> float:
    """AuthSessionValidity: how long a sign-in's challenge Sessions live (minutes in the document)."""
    return int(client.config.get("AuthSessionValidity") or DEFAULT_AUTH_SESSION_MINUTES) * 60.0


def prevents_user_existence_errors(client: Client) -> bool:
    """PreventUserExistenceErrors ENABLED: a name no user has is answered as a wrong password would be."""
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def propagates_user_context(client: Client) -> bool:
    """EnablePropagateAdditionalUserContextData: the UserContextData (the user's IP address) that the client's
    back end passes on unsigned requests counts for threat protection."""
    return bool(client.config.get("EnablePropagateAdditionalUserContextData"))


def callback_urls(client: Client) -> list[str]:
    """CallbackURLs: where the authorization server may send the browser back."""
    return list(client.config.get("CallbackURLs") or [])


def default_redirect_uri(client: Client) -> str | None:
    """DefaultRedirectURI, used when an authorization request names none."""
    found = client.config.get("DefaultRedirectURI")
    return str(found) if found is not None else None


def logout_urls(client: Client) -> list[str]:
    """LogoutURLs: where /logout may send the browser."""
    return list(client.config.get("LogoutURLs") or [])


def supported_identity_providers(client: Client) -> list[str]:
    """SupportedIdentityProviders (COGNITO for the pool's own users)."""
    return list(client.config.get("SupportedIdentityProviders") or [])


def with_supported_identity_providers(client: Client, names: list[str]) -> dict[str, Any]:
    """The client's configuration document with SupportedIdentityProviders replaced (left out when empty)."""
    config = {k: v for k, v in client.config.items() if k != "SupportedIdentityProviders"}
    if names:
        config["SupportedIdentityProviders"] = names
    return config


def allowed_oauth_scopes(client: Client) -> list[str]:
    """AllowedOAuthScopes."""
    return list(client.config.get("AllowedOAuthScopes") or [])


def with_oauth_scopes(client: Client, scopes: list[str]) -> dict[str, Any]:
    """The client's configuration document with AllowedOAuthScopes replaced (the member left out when empty)."""
    config = {k: v for k, v in client.config.items() if k != "AllowedOAuthScopes"}
    if scopes:
        config["AllowedOAuthScopes"] = scopes
    return config


def allows_oauth_flow(client: Client, flow: str) -> bool:
    """Whether the client uses the authorization server (AllowedOAuthFlowsUserPoolClient) with ``flow``."""
    config = client.config
    return bool(config.get("AllowedOAuthFlowsUserPoolClient")) and flow in (config.get("AllowedOAuthFlows") or [])


def refresh_token_rotation(client: Client) -> dict[str, Any]:
    """RefreshTokenRotation (Feature, RetryGracePeriodSeconds)."""
    return dict(client.config.get("RefreshTokenRotation") or {})


def revocation_enabled(client: Client) -> bool:
    """EnableTokenRevocation, on unless the client turned it off."""
    return bool(client.config.get("EnableTokenRevocation", True))
