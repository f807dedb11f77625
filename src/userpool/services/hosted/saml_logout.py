"""Single logout with a SAML provider (Cognito developer guide: 'Signing out SAML users with single sign-out';
OASIS saml-profiles-2.0-os §4.4).

``/logout`` for a hosted session that a SAML sign-in opened, through a provider with IDPSignout "true",
ends our session first and then sends the browser to the provider with a signed LogoutRequest naming the
sign-in's NameID and SessionIndex. Where the browser goes afterwards (the validated ``logout_uri``, or the
login page for ``redirect_uri``) is kept server-side, as a federation transaction of kind SAML_LOGOUT under
the SHA-256 of the RelayState, bound to the browser like a sign-in. The provider's LogoutResponse, posted to
``/saml2/logout``, must answer that LogoutRequest; then the browser goes on.

A LogoutRequest the provider starts is refused (PageError): Cognito documents no IdP-initiated logout.
"""

from __future__ import annotations

from collections.abc import Mapping

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.federation_transactions import LIFETIME_SECONDS, SAML_LOGOUT, FederationTransaction
from userpool.model.saml_service_provider import SLO_PATH, slo_url
from userpool.services.federation.steps.saml_exchanges import accept_logout_response, logout_request_redirect
from userpool.services.federation.steps.saml_responses import SamlResponseError
from userpool.services.hosted.idp_responses import taken_transaction
from userpool.services.hosted.login_sessions import session_of
from userpool.services.hosted.oauth_authorize import PageError

LOGOUT_REFUSED = "saml_logout"
_UNANSWERED = "The identity provider's sign-out answer is unknown, expired or refused. You are signed out here."
_NOT_SUPPORTED = "Sign-out started by the identity provider is not supported."


def provider_logout(
    ctx: Ctx, pool_id: str, client_id: str, cookie: str | None, then: str, base: str, binding: str
) -> str | None:
    """The provider's SLO URL with a signed LogoutRequest when the session ``cookie`` of ``pool_id`` came from
    a SAML provider that signs users out (IDPSignout); None otherwise. ``then``: where the browser goes once
    the provider answered; ``base``: our host the browser used."""
    session = session_of(ctx, pool_id, cookie)
    if session is None or session.saml is None:
        return None
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, session.saml.provider_name)
    if provider is None or provider.details.get("IDPSignout") != "true":
        return None
    if provider.saml is None or not provider.saml.slo_redirect_url:
        return None
    relay_state = new_opaque_value()
    saml = session.saml
    redirect = logout_request_redirect(ctx, provider, saml.name_id, saml.session_index, relay_state)
    transaction = FederationTransaction(
        state_hash=digest(relay_state),
        pool_id=pool_id,
        client_id=client_id,
        provider_name=provider.name,
        redirect_uri=then,
        response_type=SAML_LOGOUT,
        scopes=(),
        app_state=None,
        app_nonce=None,
        code_challenge=None,
        code_challenge_method=None,
        nonce=redirect.request_id,
        code_verifier=new_opaque_value(),
        idp_redirect_uri=slo_url(base),
        binding_hash=digest(binding),
        created_at=ctx.now,
        expires_at=ctx.now + LIFETIME_SECONDS,
    )
    with ctx.store.write() as tx:
        tx.federation_transactions.add(transaction)
    return redirect.url


def logout_answered(ctx: Ctx, form: Mapping[str, str], binding: str | None) -> str:
    """Where the browser goes after the provider's LogoutResponse (HTTP-POST) to our LogoutRequest;
    PageError for anything else."""
    if "SAMLRequest" in form:
        raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED)
    saml_response = form.get("SAMLResponse")
    if not saml_response:
        raise PageError(LOGOUT_REFUSED, _UNANSWERED)
    transaction = taken_transaction(ctx, form.get("RelayState"), binding, SAML_LOGOUT)
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(transaction.pool_id, transaction.provider_name)
    if provider is None:
        raise PageError(LOGOUT_REFUSED, _UNANSWERED)
    try:
        outcome = accept_logout_response(provider, transaction.idp_redirect_uri.removesuffix(SLO_PATH), saml_response)
    except (SamlResponseError, ValueError):
        raise PageError(LOGOUT_REFUSED, _UNANSWERED) from None
    if outcome.in_response_to != transaction.nonce:
        raise PageError(LOGOUT_REFUSED, _UNANSWERED)
    # Our session ended before the browser left; a provider that could not end its own is no reason to
    # keep the application from its logout page.
    return transaction.redirect_uri
