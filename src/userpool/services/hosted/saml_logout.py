"""Single logout with a SAML provider (Cognito developer guide: 'Signing out SAML users with single sign-out';
OASIS saml-profiles-2.0-os §4.4).

``/logout`` for a hosted session that a SAML sign-in opened, through a provider with IDPSignout "true",
ends our session first and then sends the browser to the provider with a signed LogoutRequest naming the
sign-in's NameID and SessionIndex. Where the browser goes afterwards (the validated ``logout_uri``, or the
login page for ``redirect_uri``) is kept server-side, as a federation transaction of kind SAML_LOGOUT under
the SHA-256 of the RelayState, bound to the browser like a sign-in. The provider's LogoutResponse, posted to
``/saml2/logout``, must answer that LogoutRequest; then the browser goes on.

A LogoutRequest the provider starts (HTTP-POST; Cognito documents none) ends this browser's hosted session
that the provider's sign-in opened, when the request is signed by that provider and names the session's
NameID (and SessionIndex, if it lists any); the provider is answered with our signed LogoutResponse by the
HTTP-Redirect binding. The session is found by the browser's session cookie, which a cross-site POST carries
only where the provider's site and ours are the same site (SameSite=Lax): elsewhere the request is refused
(PageError), as is one that matches no session of the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.federation_transactions import LIFETIME_SECONDS, SAML_LOGOUT, FederationTransaction
from userpool.model.saml_service_provider import SLO_PATH, slo_url
from userpool.services.federation.steps.saml_exchanges import (
    accept_logout_request,
    accept_logout_response,
    logout_request_redirect,
    logout_response_redirect,
)
from userpool.services.federation.steps.saml_responses import SamlResponseError
from userpool.services.hosted.idp_responses import taken_transaction
from userpool.services.hosted.login_sessions import end_session, pool_of_cookie, session_of
from userpool.services.hosted.oauth_authorize import PageError

LOGOUT_REFUSED = "saml_logout"
_UNANSWERED = "The identity provider's sign-out answer is unknown, expired or refused. You are signed out here."
_NOT_SUPPORTED = "The identity provider's sign-out request matches no sign-in of this browser."


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


@dataclass(frozen=True, slots=True)
class LogoutDone:
    """Where the browser goes next, and the name of the session cookie to clear (None: none was ended)."""

    url: str
    ended_cookie: str | None = None


def logout_answered(
    ctx: Ctx, form: Mapping[str, str], binding: str | None, cookies: Mapping[str, str], base: str
) -> LogoutDone:
    """What a POST to ``/saml2/logout`` on ``base`` leads to: after the provider's LogoutResponse to our
    LogoutRequest, the page the logout was for; after the provider's own LogoutRequest, our LogoutResponse to
    it. PageError for anything else."""
    if "SAMLRequest" in form:
        return _provider_started(ctx, form, cookies, base)
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
    return LogoutDone(transaction.redirect_uri)


_MAX_SESSIONS_TRIED = 8


def _provider_started(ctx: Ctx, form: Mapping[str, str], cookies: Mapping[str, str], base: str) -> LogoutDone:
    """End the browser's session the provider's LogoutRequest names, and answer the provider."""
    saml_request = form.get("SAMLRequest") or ""
    relay_state = form.get("RelayState")
    tried = 0
    for name, cookie in cookies.items():
        pool_id = pool_of_cookie(name)
        session = session_of(ctx, pool_id, cookie) if pool_id and tried < _MAX_SESSIONS_TRIED else None
        if pool_id is None or session is None or session.saml is None:
            continue
        tried += 1
        with ctx.store.read() as tx:
            provider = tx.identity_providers.get(pool_id, session.saml.provider_name)
        if provider is None:
            continue
        try:
            received = accept_logout_request(ctx, provider, base, saml_request)
        except (SamlResponseError, ValueError):
            continue
        index = session.saml.session_index
        if received.name_id.value != session.saml.name_id.value or (
            received.session_indexes and index not in received.session_indexes
        ):
            continue
        end_session(ctx, pool_id, cookie)
        try:
            answer = logout_response_redirect(ctx, provider, received.request_id, relay_state)
        except ValueError:  # the provider's metadata has no HTTP-Redirect SLO endpoint to answer at
            raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED) from None
        return LogoutDone(answer.url, name)
    raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED)
