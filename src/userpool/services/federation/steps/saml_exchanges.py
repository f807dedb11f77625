"""The pool's side of the SAML exchanges with a provider record (Cognito developer guide: 'SAML session
initiation in Amazon Cognito user pools', 'The IdP SAML assertion endpoint', 'Signing out SAML users with
single sign-out'): the AuthnRequest and LogoutRequest redirects (HTTP-Redirect binding), an assertion
accepted once (its ID remembered in the database until it expires), a LogoutResponse read, the pool's
metadata. ``base`` is always the scheme and host the browser used for the pool's domain: the ACS and SLO
URLs are built on it, and so are the Destination and Recipient a response must name.
"""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.crypto.saml_redirect import deflate_base64, redirect_query
from userpool.ids import new_saml_message_id
from userpool.model.identity_providers import SAML, IdentityProvider, SamlMetadata
from userpool.model.saml_service_provider import (
    SUCCESS,
    NameId,
    acs_url,
    authn_request,
    logout_request,
    logout_response,
    slo_url,
    sp_entity_id,
    sp_metadata,
)
from userpool.services import housekeeping
from userpool.services.federation.steps.saml_keys import saml_signing_key
from userpool.services.federation.steps.saml_logout import (
    LogoutOutcome,
    LogoutRequestReceived,
    read_logout_request,
    read_logout_response,
)
from userpool.services.federation.steps.saml_responses import (
    PREFIX,
    ResponseExpectations,
    SamlAssertion,
    SamlResponseError,
    read_saml_response,
)
from userpool.store.base import Conflict

SIGNING_ALGORITHM = "rsa-sha256"


@dataclass(frozen=True, slots=True)
class SamlRedirect:
    """Where to send the browser, and the ID of the request it carries (to be kept with the transaction:
    the answer's InResponseTo must name it)."""

    url: str
    request_id: str


def _metadata(provider: IdentityProvider) -> SamlMetadata:
    if provider.provider_type != SAML or provider.saml is None:
        raise ValueError(f"{provider.name} is not a SAML identity provider")
    return provider.saml


def _with_query(endpoint: str, query: str) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + query


def signs_requests(provider: IdentityProvider) -> bool:
    """RequestSigningAlgorithm "rsa-sha256": AuthnRequests to this provider are signed."""
    return provider.details.get("RequestSigningAlgorithm") == SIGNING_ALGORITHM


def authn_request_redirect(ctx: Ctx, provider: IdentityProvider, base: str, relay_state: str) -> SamlRedirect:
    """The redirect to the provider's HTTP-Redirect SSO endpoint with an AuthnRequest (signed with the
    pool's SAML signing key when the provider asks for signed requests) and ``relay_state``."""
    metadata = _metadata(provider)
    request_id = new_saml_message_id()
    xml = authn_request(request_id, ctx.now, metadata.sso_redirect_url, acs_url(base), sp_entity_id(provider.pool_id))
    key = saml_signing_key(ctx, provider.pool_id).private_key_pem if signs_requests(provider) else None
    query = redirect_query("SAMLRequest", deflate_base64(xml), relay_state, key)
    return SamlRedirect(_with_query(metadata.sso_redirect_url, query), request_id)


def logout_request_redirect(
    ctx: Ctx, provider: IdentityProvider, name_id: NameId, session_index: str | None, relay_state: str
) -> SamlRedirect:
    """The redirect to the provider's HTTP-Redirect SLO endpoint with a LogoutRequest for that sign-in,
    always signed with the pool's SAML signing key; ValueError when the metadata has no SLO endpoint."""
    metadata = _metadata(provider)
    if not metadata.slo_redirect_url:
        raise ValueError(f"{provider.name} has no SingleLogoutService with the HTTP-Redirect binding")
    request_id = new_saml_message_id()
    xml = logout_request(
        request_id, ctx.now, metadata.slo_redirect_url, sp_entity_id(provider.pool_id), name_id, session_index
    )
    key = saml_signing_key(ctx, provider.pool_id).private_key_pem
    query = redirect_query("SAMLRequest", deflate_base64(xml), relay_state, key)
    return SamlRedirect(_with_query(metadata.slo_redirect_url, query), request_id)


def response_expectations(
    ctx: Ctx, provider: IdentityProvider, base: str, request_id: str | None
) -> ResponseExpectations:
    """What a response from ``provider`` must say at ``base``: to our AuthnRequest ``request_id``, or
    unsolicited (None). With EncryptedResponses on, the provider's key decrypts and plain is refused."""
    encrypted = provider.details.get("EncryptedResponses") == "true"
    if encrypted and provider.encryption_key is None:
        raise SamlResponseError("encryption", PREFIX + "the identity provider has no encryption key.")
    return ResponseExpectations(
        sp_entity_id=sp_entity_id(provider.pool_id),
        acs_url=acs_url(base),
        idp=_metadata(provider),
        request_id=request_id,
        decryption_key_pem=provider.encryption_key.private_key_pem if encrypted and provider.encryption_key else None,
        now=ctx.now,
    )


def accept_saml_response(
    ctx: Ctx, provider: IdentityProvider, base: str, saml_response: str, request_id: str | None
) -> SamlAssertion:
    """The assertion of a posted SAMLResponse, checked (``read_saml_response``) and used up: its ID is
    recorded for the pool and the provider's entity ID, and a second use, on any instance sharing the
    database, is refused. SamlResponseError for every refusal."""
    assertion = read_saml_response(saml_response, response_expectations(ctx, provider, base, request_id))
    try:
        with ctx.store.write() as tx:
            tx.saml_assertions.remember(
                provider.pool_id, assertion.issuer, assertion.assertion_id, assertion.retain_until, ctx.now
            )
    except Conflict:
        raise SamlResponseError("replay", PREFIX + "the assertion was used already.") from None
    if housekeeping.due("saml_assertions", ctx.now):
        with ctx.store.write() as tx:
            tx.saml_assertions.delete_expired(ctx.now)
    return assertion


def accept_logout_response(provider: IdentityProvider, base: str, saml_response: str) -> LogoutOutcome:
    """A LogoutResponse posted to ``/saml2/logout`` on ``base`` by ``provider``; SamlResponseError when it
    is refused. The caller matches ``in_response_to`` with the LogoutRequest it sent."""
    return read_logout_response(saml_response, _metadata(provider), slo_url(base))


def accept_logout_request(ctx: Ctx, provider: IdentityProvider, base: str, saml_request: str) -> LogoutRequestReceived:
    """An IdP-initiated LogoutRequest posted to ``/saml2/logout`` on ``base`` by ``provider`` (it must be
    signed); SamlResponseError when it is refused. The caller ends the sessions it names, then answers
    with ``logout_response_redirect``."""
    return read_logout_request(saml_request, _metadata(provider), slo_url(base), ctx.now)


def logout_response_redirect(
    ctx: Ctx, provider: IdentityProvider, in_response_to: str, relay_state: str | None, status: str = SUCCESS
) -> SamlRedirect:
    """The redirect to the provider's HTTP-Redirect SLO endpoint with our signed LogoutResponse to its
    LogoutRequest ``in_response_to``; ValueError when the metadata has no SLO endpoint."""
    metadata = _metadata(provider)
    if not metadata.slo_redirect_url:
        raise ValueError(f"{provider.name} has no SingleLogoutService with the HTTP-Redirect binding")
    response_id = new_saml_message_id()
    xml = logout_response(
        response_id, ctx.now, metadata.slo_redirect_url, sp_entity_id(provider.pool_id), in_response_to, status
    )
    key = saml_signing_key(ctx, provider.pool_id).private_key_pem
    query = redirect_query("SAMLResponse", deflate_base64(xml), relay_state, key)
    return SamlRedirect(_with_query(metadata.slo_redirect_url, query), response_id)


def pool_metadata(ctx: Ctx, pool_id: str, base: str, provider: IdentityProvider | None = None) -> str:
    """The pool's SP metadata document on ``base``, with ``provider``'s encryption certificate and its
    request-signing choice when one is given (each SAML provider has its own encryption key)."""
    key = saml_signing_key(ctx, pool_id)
    encryption = provider.encryption_key.certificate if provider and provider.encryption_key else None
    signed = signs_requests(provider) if provider else False
    return sp_metadata(pool_id, base, key.certificate, encryption, signed)
