"""SAML 2.0 sign-in through the hosted pages (Cognito developer guide: 'SAML session initiation in Amazon Cognito
user pools', 'The IdP SAML assertion endpoint', 'Using IdP-initiated SAML sign-in'; OASIS
saml-profiles-2.0-os §4.1 Web Browser SSO).

SP-initiated: ``/oauth2/authorize`` naming a SAML provider keeps the application's request as a federation
transaction under the SHA-256 of a random RelayState (the only thing the provider is given besides our
AuthnRequest, whose ID the transaction keeps) and redirects to the provider. The provider's Response comes
back, posted by the browser, to ``/saml2/idpresponse`` with that RelayState: the transaction is taken (once,
by the browser that started it), the Response checked against it (InResponseTo = our request's ID), the user
signed in and the application answered.

IdP-initiated (the provider's IDPInit is "true"): there is no transaction; the RelayState is the
application's authorize query, checked exactly as ``/oauth2/authorize`` checks it, and the Response must
answer no request of ours and be at most six minutes old.

Before the application is known (no transaction, a RelayState that names no client and registered redirect
URI) a refusal is the error page (PageError); after, it goes to the application's redirect URI in Cognito's
words. A refused Response creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from userpool.context import Ctx
from userpool.crypto.opaque import new_opaque_value
from userpool.model.client_config import supported_identity_providers
from userpool.model.identity_providers import SAML, IdentityProvider, allows_idp_initiated
from userpool.model.oauth_records import SamlSessionLink
from userpool.model.oauth_requests import MAX_PARAMETER, AuthorizeRequest, OAuthError
from userpool.model.records import User
from userpool.model.saml_service_provider import ACS_PATH, acs_url
from userpool.services.federation.steps.federated_calls import FederatedSignInError, ProviderIdentity
from userpool.services.federation.steps.federated_users import sign_in_federated_user
from userpool.services.federation.steps.saml_exchanges import accept_saml_response, authn_request_redirect
from userpool.services.federation.steps.saml_metadata_refresh import fresh_saml_provider, refetched_saml_provider
from userpool.services.federation.steps.saml_responses import (
    SIGNATURE_INVALID,
    SamlAssertion,
    SamlResponseError,
    cognito_attribute_values,
)
from userpool.services.hosted.federated_authorize import chosen_provider, keep_transaction
from userpool.services.hosted.idp_responses import (
    NO_SIGN_IN,
    NO_SIGN_IN_WORDS,
    Finished,
    counted_federated,
    finish,
    refused,
    resumed,
    taken_transaction,
)
from userpool.services.hosted.oauth_authorize import (
    PageError,
    Target,
    application_error,
    authorize_request,
    authorize_target,
)

# AWS's words for an unsolicited Response it does not accept (observed).
UNSOLICITED_REFUSED = "Invalid samlResponse or relayState from identity provider"


def redirect_to_saml_provider(
    ctx: Ctx, target: Target, request: AuthorizeRequest, provider: IdentityProvider, base: str, binding: str
) -> str:
    """Keep the application's ``request`` and return the provider's SSO URL with our AuthnRequest (HTTP-Redirect
    binding). ``base``: the scheme and host the browser used, where the Response must come back."""
    relay_state = new_opaque_value()
    provider = fresh_saml_provider(ctx, provider)
    redirect = authn_request_redirect(ctx, provider, base, relay_state)
    # The PKCE verifier slot is unused toward a SAML provider; a random value keeps the row's shape.
    verifier = new_opaque_value()
    keep_transaction(
        ctx, target, request, provider.name, relay_state, redirect.request_id, verifier, acs_url(base), binding
    )
    return redirect.url


def saml_answer(
    ctx: Ctx,
    form: Mapping[str, str],
    binding: str | None,
    cookies: Mapping[str, str],
    base: str,
    domain_pool_id: str | None,
) -> Finished:
    """The posted ``SAMLResponse`` and ``RelayState`` from the browser holding ``binding`` and ``cookies``,
    on ``base`` (the pool's domain when ``domain_pool_id``); PageError before the application is known."""
    saml_response = form.get("SAMLResponse") or ""
    relay_state = form.get("RelayState") or ""

    def answer() -> Finished:
        if not saml_response or len(relay_state) > MAX_PARAMETER:
            raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
        if _names_transaction(relay_state):
            return _solicited(ctx, saml_response, relay_state, binding, cookies)
        return _unsolicited(ctx, saml_response, relay_state, cookies, base, domain_pool_id)

    return counted_federated(ctx, answer)


def _names_transaction(relay_state: str) -> bool:
    """Our RelayState is an opaque value; an application's authorize query has its parameters."""
    return bool(relay_state) and "=" not in relay_state


def _solicited(
    ctx: Ctx, saml_response: str, relay_state: str, binding: str | None, cookies: Mapping[str, str]
) -> Finished:
    """SP-initiated: the RelayState names the transaction, whose AuthnRequest the Response must answer."""
    transaction = taken_transaction(ctx, relay_state, binding)
    target, request, provider = resumed(ctx, transaction)
    offered = supported_identity_providers(target.client)
    if provider is None or provider.provider_type != SAML or provider.name not in offered:
        result: tuple[User, SamlSessionLink] | OAuthError = OAuthError(
            "invalid_request", "Login option is not available. Please try another one"
        )
    else:
        base = transaction.idp_redirect_uri.removesuffix(ACS_PATH)
        result = _signed_in(ctx, target, provider, base, saml_response, transaction.nonce)
    if isinstance(result, OAuthError):
        return refused(request, result)
    user, link = result
    return finish(ctx, target, request, user, cookies, link)


def _unsolicited(
    ctx: Ctx,
    saml_response: str,
    relay_state: str,
    cookies: Mapping[str, str],
    base: str,
    domain_pool_id: str | None,
) -> Finished:
    """IdP-initiated: the RelayState is the application's authorize query ('Using IdP-initiated SAML sign-in')."""
    try:
        params = _query(relay_state)
    except OAuthError:
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS) from None
    target = authorize_target(ctx, params, domain_pool_id)
    response_type, state = params.get("response_type"), params.get("state")
    try:
        request = authorize_request(target, params, local_sign_in=False)
    except OAuthError as err:
        return Finished(application_error(target.redirect_uri, response_type, state, err), refusal=err.error)
    provider = chosen_provider(ctx, target, params)
    offered = supported_identity_providers(target.client)
    if provider is None or not allows_idp_initiated(provider) or not _only_saml(ctx, target.pool.id, offered):
        return refused(request, OAuthError("invalid_request", UNSOLICITED_REFUSED))
    result = _signed_in(ctx, target, provider, base, saml_response, None)
    if isinstance(result, OAuthError):
        return refused(request, result)
    user, link = result
    return finish(ctx, target, request, user, cookies, link)


def _query(relay_state: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(relay_state, keep_blank_values=True):
        if key in params:
            raise OAuthError("invalid_request", f"The {key} parameter was sent more than once.")
        params[key] = value
    if "client_id" not in params:
        raise OAuthError("invalid_request", "The client_id parameter is required.")
    return params


def _only_saml(ctx: Ctx, pool_id: str, offered: list[str]) -> bool:
    """A client that takes IdP-initiated sign-in may offer SAML providers only, not even COGNITO."""
    with ctx.store.read() as tx:
        for name in offered:
            provider = tx.identity_providers.get(pool_id, name)
            if provider is None or provider.provider_type != SAML:
                return False
    return True


def _signed_in(
    ctx: Ctx,
    target: Target,
    provider: IdentityProvider,
    base: str,
    saml_response: str,
    request_id: str | None,
) -> tuple[User, SamlSessionLink] | OAuthError:
    """The user the Response signs in, and what single logout will need; or the refusal for the application."""
    try:
        assertion = _accepted(ctx, provider, base, saml_response, request_id)
    except SamlResponseError as err:
        return OAuthError(err.error, err.description)
    identity = ProviderIdentity(provider.name, SAML, assertion.issuer, provider.attribute_mapping)
    attributes = cognito_attribute_values(assertion)
    try:
        user = sign_in_federated_user(
            ctx,
            target.pool,
            target.client,
            identity,
            assertion.name_id.value,
            attributes,
            provider_attributes={"samlResponse": attributes},
        )
    except FederatedSignInError as err:
        return OAuthError(err.error, err.description)
    return user, _link(provider, assertion)


def _accepted(
    ctx: Ctx, provider: IdentityProvider, base: str, saml_response: str, request_id: str | None
) -> SamlAssertion:
    """The Response checked against the provider's current metadata; when its signature verifies with none
    of the certificates, once more against metadata read again (a provider that rotated its key), if
    that may be fetched now (saml_metadata_refresh.py spaces fetches)."""
    provider = fresh_saml_provider(ctx, provider)
    try:
        return accept_saml_response(ctx, provider, base, saml_response, request_id)
    except SamlResponseError as err:
        if err.description != SIGNATURE_INVALID or err.reason == "unsigned":
            raise
        refetched = refetched_saml_provider(ctx, provider)
        if refetched is None:
            raise
    return accept_saml_response(ctx, refetched, base, saml_response, request_id)


def _link(provider: IdentityProvider, assertion: SamlAssertion) -> SamlSessionLink:
    return SamlSessionLink(provider.name, assertion.name_id, assertion.session_index)
