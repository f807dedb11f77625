"""A user pool's external identity providers (IdPs): the stored record, and the ProviderDetails Cognito shows.

One record per (pool, ProviderName), made by CreateIdentityProvider (AWS: CreateIdentityProvider and
IdentityProviderType API reference). ``details`` keeps the ProviderDetails keys the operator supplied, as
accepted (secrets included, in clear in memory; the store seals ``client_secret`` and ``private_key``).
Everything else a response shows is derived when it is shown, by ``effective_details``: the fixed
endpoints of the social providers (which a server setting may replace), ``attributes_url_add_attributes``,
the OIDC endpoints found by discovery, and a SAML provider's endpoints and encryption certificate. So a
derived key never goes stale, and one sent back by a client on UpdateIdentityProvider is simply ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from userpool.config import SocialEndpoints

SAML = "SAML"
OIDC = "OIDC"
GOOGLE = "Google"
FACEBOOK = "Facebook"
LOGIN_WITH_AMAZON = "LoginWithAmazon"
SIGN_IN_WITH_APPLE = "SignInWithApple"
PROVIDER_TYPES = (SAML, OIDC, GOOGLE, FACEBOOK, LOGIN_WITH_AMAZON, SIGN_IN_WITH_APPLE)
# A social provider's ProviderName is its type ("Google" for Google), so a pool has at most one of each.
SOCIAL_TYPES = (GOOGLE, FACEBOOK, LOGIN_WITH_AMAZON, SIGN_IN_WITH_APPLE)

# The pool's own directory in SupportedIdentityProviders, and native users' provider in
# AdminLinkProviderForUser: neither is an IdP record, and no record may take either name.
COGNITO_PROVIDER = "COGNITO"
RESERVED_NAMES = frozenset({COGNITO_PROVIDER, "Cognito"})

# Keys of ProviderDetails that are secrets: sealed at rest. ``private_key`` (Sign in with Apple) is never
# shown again; ``client_secret`` is, as on AWS (the DescribeIdentityProvider examples show it).
SECRET_KEYS = ("client_secret", "private_key")
HIDDEN_KEYS = frozenset({"private_key"})

# The four OIDC endpoints, given in ProviderDetails or found by discovery from ``oidc_issuer``.
OIDC_ENDPOINT_KEYS = ("authorize_url", "token_url", "attributes_url", "jwks_uri")


@dataclass(frozen=True, slots=True)
class SamlMetadata:
    """What a SAML provider's metadata says, read when it was accepted (model/saml_metadata.py)."""

    entity_id: str
    sso_redirect_url: str
    slo_redirect_url: str | None
    # The IdP's signing certificates, base64 DER as in the metadata (whitespace removed). A response is
    # valid when it verifies with any of them ("SAML signing and encryption", Cognito developer guide).
    signing_certificates: tuple[str, ...]
    # MetadataURL only: when the document was last fetched and read (it is fetched again once this is
    # older than the refresh interval), and when a fetch was last tried, succeeded or not (fetches are
    # spaced by at least the retry interval: services/federation/steps/saml_metadata_refresh.py).
    fetched_at: float | None = None
    fetch_tried_at: float | None = None


@dataclass(frozen=True, slots=True)
class EncryptionKey:
    """The key pair a SAML provider encrypts assertions to (ActiveEncryptionCertificate), one per provider."""

    certificate: str  # base64 DER, no PEM armour
    private_key_pem: str


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """An IdP record of a pool. ``version`` grows by one with every update (a concurrent update is refused)."""

    pool_id: str
    name: str
    provider_type: str
    details: dict[str, str]
    attribute_mapping: dict[str, str]
    idp_identifiers: tuple[str, ...]
    acr_mapping: dict[str, str]
    created_at: float
    updated_at: float
    version: int = 1
    # OIDC: the endpoints read from <oidc_issuer>/.well-known/openid-configuration (those not given).
    discovered: dict[str, str] = field(default_factory=dict)
    saml: SamlMetadata | None = None
    encryption_key: EncryptionKey | None = None


def allows_idp_initiated(provider: IdentityProvider) -> bool:
    """A SAML provider with IDPInit "true": its IdP may start sign-ins ("Using IdP-initiated SAML sign-in",
    Cognito developer guide)."""
    return provider.provider_type == SAML and provider.details.get("IDPInit") == "true"


# AWS's fixed endpoints of the social providers (the DescribeIdentityProvider examples of the
# IdentityProviderType API reference); Facebook's carry its ``api_version`` (``_facebook_urls``).
_SOCIAL_URLS: dict[str, dict[str, str]] = {
    GOOGLE: {
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
    },
    LOGIN_WITH_AMAZON: {
        "attributes_url": "https://api.amazon.com/user/profile",
        "attributes_url_add_attributes": "false",
        "authorize_url": "https://www.amazon.com/ap/oa",
        "token_request_method": "POST",
        "token_url": "https://api.amazon.com/auth/o2/token",
    },
    SIGN_IN_WITH_APPLE: {
        "attributes_url_add_attributes": "false",
        "authorize_url": "https://appleid.apple.com/auth/authorize",
        "oidc_issuer": "https://appleid.apple.com",
        "token_request_method": "POST",
        "token_url": "https://appleid.apple.com/auth/token",
    },
}
# Where the ID tokens of the OIDC-based social providers are verified; AWS does not show these keys.
_SOCIAL_JWKS_URIS = {
    GOOGLE: "https://www.googleapis.com/oauth2/v3/certs",
    SIGN_IN_WITH_APPLE: "https://appleid.apple.com/auth/keys",
}


def _facebook_urls(api_version: str | None) -> dict[str, str]:
    # Without an api_version the Graph API answers with the app's default version.
    version = f"/{api_version}" if api_version else ""
    return {
        "attributes_url": f"https://graph.facebook.com{version}/me?fields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": f"https://www.facebook.com{version}/dialog/oauth",
        "token_request_method": "GET",
        "token_url": f"https://graph.facebook.com{version}/oauth/access_token",
    }


def _replaced(fixed: dict[str, str], endpoints: SocialEndpoints) -> dict[str, str]:
    """``fixed`` with the server's replacements laid over it (``federation.social_endpoints``)."""
    out = dict(fixed)
    for key in ("authorize_url", "token_url", "attributes_url", "oidc_issuer", "jwks_uri", "token_request_method"):
        value = getattr(endpoints, key)
        if value:
            out[key] = value
    return out


def social_details(provider_type: str, api_version: str | None, endpoints: SocialEndpoints) -> dict[str, str]:
    """The read-only keys of a social provider: AWS's fixed values, or the server's replacements of them."""
    fixed = _facebook_urls(api_version) if provider_type == FACEBOOK else _SOCIAL_URLS[provider_type]
    return _replaced(fixed, endpoints)


def derived_keys(provider_type: str) -> frozenset[str]:
    """The ProviderDetails keys a response adds for ``provider_type``: read-only, ignored in requests."""
    if provider_type == SAML:
        return frozenset({"SSORedirectBindingURI", "SLORedirectBindingURI", "ActiveEncryptionCertificate"})
    if provider_type == OIDC:
        return frozenset({"attributes_url_add_attributes"})
    if provider_type == FACEBOOK:
        keys = set(_facebook_urls(None))
    else:
        keys = set(_SOCIAL_URLS[provider_type])
    return frozenset(keys | {"authorize_url", "token_url", "attributes_url", "oidc_issuer", "jwks_uri"})


def effective_details(provider: IdentityProvider, endpoints: SocialEndpoints) -> dict[str, str]:
    """ProviderDetails as Create/Describe/Update/GetIdentityProviderByIdentifier return them, keys sorted.

    ``endpoints`` is ``settings.federation.endpoints_of(provider.provider_type)``.
    """
    out = {k: v for k, v in provider.details.items() if k not in HIDDEN_KEYS}
    if provider.provider_type == OIDC:
        out["attributes_url_add_attributes"] = "false"
        for key, value in provider.discovered.items():
            out.setdefault(key, value)
    elif provider.provider_type == SAML:
        if provider.saml is not None:
            out["SSORedirectBindingURI"] = provider.saml.sso_redirect_url
            if provider.saml.slo_redirect_url:
                out["SLORedirectBindingURI"] = provider.saml.slo_redirect_url
        if provider.encryption_key is not None:
            out["ActiveEncryptionCertificate"] = provider.encryption_key.certificate
    else:
        out.update(social_details(provider.provider_type, provider.details.get("api_version"), endpoints))
    return dict(sorted(out.items()))


def sign_in_details(provider: IdentityProvider, endpoints: SocialEndpoints) -> dict[str, str]:
    """Everything a sign-in through an OIDC or social provider needs: ``effective_details`` plus what
    responses never show, Apple's ``private_key`` and the ``jwks_uri`` of Google and Apple."""
    out = effective_details(provider, endpoints)
    if "private_key" in provider.details:
        out["private_key"] = provider.details["private_key"]
    if provider.provider_type in _SOCIAL_JWKS_URIS:
        out.setdefault("jwks_uri", _SOCIAL_JWKS_URIS[provider.provider_type])
    return out
