"""What Create/UpdateIdentityProvider accept: names, ProviderDetails per type, AttributeMapping, IdpIdentifiers
and AcrMapping (AWS: CreateIdentityProvider and IdentityProviderType API reference).

Every check here needs no I/O. What does (OIDC discovery, fetching SAML metadata from MetadataURL) comes
after these, in services/federation. A violation is an InvalidParameterException.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import regex

from userpool.errors import InvalidParameterException
from userpool.model.attributes import definition
from userpool.model.identity_providers import (
    FACEBOOK,
    GOOGLE,
    LOGIN_WITH_AMAZON,
    OIDC,
    OIDC_ENDPOINT_KEYS,
    RESERVED_NAMES,
    SAML,
    SIGN_IN_WITH_APPLE,
    SOCIAL_TYPES,
    derived_keys,
)
from userpool.model.idp_urls import idp_url_refusal
from userpool.model.records import Pool

_CLIENT_KEYS = ("client_id", "client_secret", "authorize_scopes")
# ProviderDetails keys a request may set, per type (the "Create or update request" examples).
_ACCEPTED: dict[str, frozenset[str]] = {
    OIDC: frozenset({*_CLIENT_KEYS, "attributes_request_method", "oidc_issuer", *OIDC_ENDPOINT_KEYS}),
    SAML: frozenset(
        {"MetadataURL", "MetadataFile", "IDPSignout", "EncryptedResponses", "IDPInit", "RequestSigningAlgorithm"}
    ),
    GOOGLE: frozenset(_CLIENT_KEYS),
    FACEBOOK: frozenset({*_CLIENT_KEYS, "api_version"}),
    LOGIN_WITH_AMAZON: frozenset(_CLIENT_KEYS),
    SIGN_IN_WITH_APPLE: frozenset({"client_id", "team_id", "key_id", "private_key", "authorize_scopes"}),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    OIDC: (*_CLIENT_KEYS, "oidc_issuer"),
    SAML: (),
    GOOGLE: _CLIENT_KEYS,
    FACEBOOK: _CLIENT_KEYS,
    LOGIN_WITH_AMAZON: _CLIENT_KEYS,
    SIGN_IN_WITH_APPLE: ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
}
_SAML_FLAGS = ("IDPSignout", "EncryptedResponses", "IDPInit")
_SIGNING_ALGORITHMS = ("rsa-sha256",)
_REQUEST_METHODS = ("GET", "POST")
_URL_KEYS = ("oidc_issuer", *OIDC_ENDPOINT_KEYS, "MetadataURL")

# The subject claim each provider type's ``username`` is mapped to (Cognito developer guide: 'Mapping IdP
# attributes to profiles and tokens'); Cognito adds the mapping when a request leaves it out.
USERNAME_CLAIMS = {GOOGLE: "sub", SIGN_IN_WITH_APPLE: "sub", OIDC: "sub", FACEBOOK: "id", LOGIN_WITH_AMAZON: "user_id"}
_NEVER_MAPPED = frozenset({"sub", "identities"})

# ProviderNameTypeV2 of botocore's model (Create): at least three characters, no white space, "_" only as
# the second; the federated username <ProviderName>_<subject> stays unambiguous.
_NAME_V2 = regex.compile(r"[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+", regex.V0)
_NAME_MAX = 32
# IdpIdentifierType: Java's \w and \s, which are ASCII only.
_IDENTIFIER = re.compile(r"[\w\s+=.@-]{1,40}", re.ASCII)
MAX_IDENTIFIERS = 50
_ACR_LEVEL = re.compile(r"Level[1-4]")
_ACR_VALUE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,64}")
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")
_FACEBOOK_API_VERSION = re.compile(r"v[0-9]+\.[0-9]+")


def check_new_name(name: str, provider_type: str) -> None:
    """The ProviderName of CreateIdentityProvider: ProviderNameTypeV2, not a reserved name, and for a
    social provider its type (CreateIdentityProvider; CDK's user-pool-idps hard-code "Google" etc.)."""
    if len(name) > _NAME_MAX or not _NAME_V2.fullmatch(name):
        raise InvalidParameterException(
            f"Invalid provider name {name}: 3 to {_NAME_MAX} characters without white space, "
            "and '_' only as the second character."
        )
    if name in RESERVED_NAMES:
        raise InvalidParameterException(f"{name} is a reserved provider name.")
    if provider_type in SOCIAL_TYPES and name != provider_type:
        raise InvalidParameterException(
            f"The provider name of a {provider_type} identity provider must be {provider_type}."
        )
    if provider_type not in SOCIAL_TYPES and name in SOCIAL_TYPES:
        raise InvalidParameterException(f"{name} is the name of the {name} identity provider type.")


def _check_scopes(provider_type: str, scopes: str) -> None:
    """Facebook's authorize_scopes are comma-separated, every other type's space-separated (the model's
    ProviderDetails examples: "public_profile, email", "openid profile email"); OIDC needs ``openid``."""
    if provider_type == FACEBOOK:
        tokens = [t.strip() for t in scopes.split(",")]
        separator = "commas"
    else:
        tokens = scopes.split(" ")
        separator = "single spaces"
    # A comma is a legal scope character (RFC 6749 §3.3), but in Google's or an OIDC provider's scopes it is
    # the mistake of separating them as Facebook's are.
    if not all(_SCOPE_TOKEN.fullmatch(t) and "," not in t for t in tokens):
        raise InvalidParameterException(
            f"authorize_scopes of a {provider_type} identity provider are scope names separated by {separator}."
        )
    if provider_type == OIDC and "openid" not in tokens:
        raise InvalidParameterException("authorize_scopes of an OIDC identity provider must include openid.")


def _check_values(provider_type: str, details: Mapping[str, str], allow_http: bool) -> None:
    for key in _REQUIRED[provider_type]:
        if not details.get(key):
            raise InvalidParameterException(f"{key} is required for a {provider_type} identity provider.")
    if "authorize_scopes" in details:
        _check_scopes(provider_type, details["authorize_scopes"])
    for key in _URL_KEYS:
        if key in details:
            reason = idp_url_refusal(details[key], allow_http=allow_http)
            if reason is not None:
                raise InvalidParameterException(f"{key} {reason}.")
    method = details.get("attributes_request_method")
    if method is not None and method not in _REQUEST_METHODS:
        raise InvalidParameterException("attributes_request_method must be GET or POST.")
    version = details.get("api_version")
    if version is not None and not _FACEBOOK_API_VERSION.fullmatch(version):
        raise InvalidParameterException(f"api_version {version} is not a Graph API version such as v17.0.")
    if provider_type == SAML:
        _check_saml_values(details)


def _check_saml_values(details: Mapping[str, str]) -> None:
    if ("MetadataURL" in details) == ("MetadataFile" in details):
        raise InvalidParameterException("A SAML identity provider needs exactly one of MetadataURL and MetadataFile.")
    for flag in _SAML_FLAGS:
        if flag in details and details[flag] not in ("true", "false"):
            raise InvalidParameterException(f"{flag} must be true or false.")
    algorithm = details.get("RequestSigningAlgorithm")
    if algorithm is not None and algorithm not in _SIGNING_ALGORITHMS:
        raise InvalidParameterException("RequestSigningAlgorithm must be rsa-sha256.")


def checked_details(
    provider_type: str, given: Mapping[str, str], stored: Mapping[str, str] | None, allow_http: bool
) -> dict[str, str]:
    """The ProviderDetails to store for a Create (``stored`` None) or an Update that sends them.

    They replace what was stored, except Apple's ``private_key``, which responses never show, so a client
    round-tripping DescribeIdentityProvider cannot send it back: left out, the stored key stays. Keys a
    response derives are ignored (a client may send Describe's output back); other unknown keys are refused.
    An OIDC provider without attributes_request_method asks for attributes with GET.
    """
    accepted = _ACCEPTED[provider_type]
    derived = derived_keys(provider_type)
    details: dict[str, str] = {}
    for key, value in given.items():
        if key in accepted:
            details[key] = value
        elif key not in derived:
            raise InvalidParameterException(
                f"{key} is not a ProviderDetails key of a {provider_type} identity provider."
            )
    if provider_type == SIGN_IN_WITH_APPLE and "private_key" not in details and stored and "private_key" in stored:
        details["private_key"] = stored["private_key"]
    if provider_type == OIDC:
        details.setdefault("attributes_request_method", "GET")
    _check_values(provider_type, details, allow_http)
    return dict(sorted(details.items()))


def missing_oidc_endpoints(details: Mapping[str, str]) -> tuple[str, ...]:
    """The OIDC endpoints ProviderDetails leave to discovery from ``oidc_issuer``."""
    return tuple(key for key in OIDC_ENDPOINT_KEYS if not details.get(key))


def checked_attribute_mapping(provider_type: str, mapping: Mapping[str, str], pool: Pool) -> dict[str, str]:
    """AttributeMapping as stored: keys are the pool's attributes (standard, defined ``custom:``, or
    ``username``), never ``sub`` or ``identities``, which Cognito owns; ``username`` is mapped to the
    provider's subject claim, added when left out and refused to any other claim of a social provider."""
    out: dict[str, str] = {}
    for key, value in mapping.items():
        if key in _NEVER_MAPPED or key.startswith("dev:"):
            raise InvalidParameterException(f"The attribute {key} cannot be mapped from an identity provider.")
        if key != "username" and definition(pool, key) is None:
            raise InvalidParameterException(
                f"Invalid attribute mapping: {key} is not an attribute of user pool {pool.id}."
            )
        if not value:
            raise InvalidParameterException(f"Invalid attribute mapping: {key} is mapped to no provider attribute.")
        out[key] = value
    claim = USERNAME_CLAIMS.get(provider_type)
    if claim is not None:
        found = out.setdefault("username", claim)
        if provider_type in SOCIAL_TYPES and found != claim:
            raise InvalidParameterException(
                f"The username of a {provider_type} identity provider can only be mapped to {claim}."
            )
    return dict(sorted(out.items()))


def checked_identifiers(identifiers: list[str]) -> tuple[str, ...]:
    """IdpIdentifiers: at most 50, each 1-40 of ``[\\w\\s+=.@-]``, none twice (they name one provider each)."""
    if len(identifiers) > MAX_IDENTIFIERS:
        raise InvalidParameterException(f"An identity provider can have at most {MAX_IDENTIFIERS} IdpIdentifiers.")
    for identifier in identifiers:
        if not _IDENTIFIER.fullmatch(identifier):
            raise InvalidParameterException(f"Invalid IdpIdentifier {identifier}.")
    if len(set(identifiers)) != len(identifiers):
        raise InvalidParameterException("IdpIdentifiers must not contain the same identifier twice.")
    return tuple(identifiers)


def checked_acr_mapping(provider_type: str, mapping: Mapping[str, str]) -> dict[str, str]:
    """AcrMapping: Level1-Level4 to ACR values of 1-64 printable characters; OIDC providers only
    (CreateIdentityProvider, AcrMapping: "Only OIDC IdPs support ACR mapping")."""
    if mapping and provider_type != OIDC:
        raise InvalidParameterException("Only OIDC identity providers support AcrMapping.")
    for level, value in mapping.items():
        if not _ACR_LEVEL.fullmatch(level):
            raise InvalidParameterException(f"Invalid AcrMapping level {level}: use Level1 to Level4.")
        if not _ACR_VALUE.fullmatch(value):
            raise InvalidParameterException(f"Invalid AcrMapping value for {level}.")
    return dict(sorted(mapping.items()))
