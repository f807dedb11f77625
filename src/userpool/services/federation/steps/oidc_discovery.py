"""OpenID Connect Discovery 1.0: an identity provider's endpoints from its issuer, as CreateIdentityProvider
and UpdateIdentityProvider fill an OIDC provider's ``authorize_url``, ``token_url``, ``attributes_url`` and
``jwks_uri`` ("Using OIDC identity providers with a user pool", Amazon Cognito developer guide)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from userpool.context import Ctx
from userpool.model.idp_urls import idp_url_refusal
from userpool.services.federation.steps.idp_calls import call_idp, json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure

WELL_KNOWN = "/.well-known/openid-configuration"

# Our names of the endpoints (ProviderDetails keys) and the discovery document's (Discovery §3).
_REQUIRED = {
    "authorize_url": "authorization_endpoint",
    "token_url": "token_endpoint",
    "jwks_uri": "jwks_uri",
}
_OPTIONAL = {"attributes_url": "userinfo_endpoint"}


@dataclass(frozen=True, slots=True)
class OidcEndpoints:
    """A provider's endpoints, as the ProviderDetails keys name them; ``attributes_url`` is "" when the
    provider publishes no userinfo endpoint."""

    issuer: str
    authorize_url: str
    token_url: str
    attributes_url: str
    jwks_uri: str


def discovery_url(issuer: str) -> str:
    """Where ``issuer`` publishes its configuration: a trailing "/" is removed before appending (Discovery
    §4)."""
    return issuer.rstrip("/") + WELL_KNOWN


def discover(ctx: Ctx, issuer: str) -> OidcEndpoints:
    """Fetch and check ``issuer``'s configuration (Discovery §4.3: its ``issuer`` must equal ``issuer``
    exactly; every endpoint must pass the identity-provider URL policy)."""
    allow_http = ctx.settings.federation.allow_http_idp_urls
    refusal = idp_url_refusal(issuer, allow_http=allow_http)
    if refusal is not None:
        raise IdpError(IdpFailure.URL_REFUSED, f"oidc_issuer {refusal}")
    answer = call_idp(
        ctx,
        discovery_url(issuer),
        unreachable=IdpFailure.DISCOVERY_UNREACHABLE,
        timeout_words="Timeout occurred in calling IdP well-known endpoint",
    )
    if answer.status != 200:
        raise IdpError(
            IdpFailure.DISCOVERY_UNREACHABLE, f"{answer.status} error getting the IdP well-known configuration"
        )
    document = json_object(answer.body)
    if document is None:
        raise IdpError(IdpFailure.DISCOVERY_INVALID, "The IdP well-known configuration is not a JSON object")
    if document.get("issuer") != issuer:
        raise IdpError(
            IdpFailure.DISCOVERY_ISSUER_MISMATCH,
            "The issuer of the IdP well-known configuration does not match oidc_issuer",
        )
    urls = {ours: _endpoint(document, theirs, ours, allow_http, True) for ours, theirs in _REQUIRED.items()}
    urls.update({ours: _endpoint(document, theirs, ours, allow_http, False) for ours, theirs in _OPTIONAL.items()})
    return OidcEndpoints(issuer=issuer, **urls)


def _endpoint(document: dict[str, Any], member: str, ours: str, allow_http: bool, required: bool) -> str:
    value = document.get(member)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise IdpError(IdpFailure.DISCOVERY_INVALID, f"The IdP well-known configuration has no {member}")
    refusal = idp_url_refusal(value, allow_http=allow_http)
    if refusal is not None:
        raise IdpError(IdpFailure.URL_REFUSED, f"{ours} {refusal}")
    return value
