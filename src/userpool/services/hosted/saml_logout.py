"""Single logout with a SAML provider (Cognito developer guide: 'Signing out SAML users with single sign-out';
OASIS saml-profiles-2.0-os §4.4).

``/logout`` for a hosted session that a SAML sign-in opened, through a provider with IDPSignout "true",
ends our session first and then sends the browser to the provider with a signed LogoutRequest naming the
sign-in's NameID and SessionIndex. Where the browser goes afterwards (the validated ``logout_uri``, or the
login page for ``redirect_uri``) is kept server-side, as a federation transaction of kind SAML_LOGOUT under
the SHA-256 of the RelayState, bound to the browser like a sign-in. The provider's LogoutResponse, posted to
``/saml2/logout``, must answer that LogoutRequest; then the browser goes on.

A LogoutRequest the provider starts (HTTP-POST; Cognito documents none, its single logout being started by
the application) ends, server-side, every hosted session of the pool that a sign-in through that provider
opened for the NameID it names (and one of its SessionIndexes, if it lists any), in whatever browser: the
request is trusted because it is signed with a certificate of the provider's metadata, not because of a
cookie, which a cross-site POST over HTTPS does not carry (SameSite=Lax). It must have been issued in the
last six minutes and is acted on once (its ID remembered like an assertion's). The pool is the one of the
domain it was posted to; on the server's own URL, the one its NameID names as SP (SPNameQualifier) or one
of the browser's sessions'. The provider is answered with our signed LogoutResponse by the HTTP-Redirect
binding; a request that is unsigned, forged, stale, replayed or for no provider ends nothing (PageError).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.federation_transactions import LIFETIME_SECONDS, SAML_LOGOUT, FederationTransaction
from userpool.model.identity_providers import IdentityProvider
from userpool.model.oauth_records import SamlSessionLink
from userpool.model.saml_service_provider import SLO_PATH, SP_ENTITY_PREFIX, slo_url
from userpool.services.federation.steps.saml_exchanges import (
    accept_logout_request,
    accept_logout_response,
    logout_request_redirect,
    logout_response_redirect,
)
from userpool.services.federation.steps.saml_logout import (
    LogoutRequestReceived,
    LogoutRequestSender,
    logout_request_sender,
)
from userpool.services.federation.steps.saml_metadata_refresh import fresh_saml_provider, refetched_saml_provider
from userpool.services.federation.steps.saml_responses import SIGNATURE_INVALID, SamlResponseError
from userpool.services.hosted.idp_responses import taken_transaction
from userpool.services.hosted.login_sessions import cookie_name, pool_of_cookie, session_of
from userpool.services.hosted.oauth_authorize import PageError
from userpool.store.base import Conflict

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
    ctx: Ctx,
    form: Mapping[str, str],
    binding: str | None,
    cookies: Mapping[str, str],
    base: str,
    domain_pool_id: str | None = None,
) -> LogoutDone:
    """What a POST to ``/saml2/logout`` on ``base`` leads to: after the provider's LogoutResponse to our
    LogoutRequest, the page the logout was for; after the provider's own LogoutRequest, our LogoutResponse to
    it. PageError for anything else."""
    if "SAMLRequest" in form:
        return _provider_started(ctx, form, cookies, base, domain_pool_id)
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


_MAX_POOLS_TRIED = 8
_PROVIDERS_PAGE = 60


def _candidate_pools(domain_pool_id: str | None, sender: LogoutRequestSender, cookies: Mapping[str, str]) -> list[str]:
    """The pools whose providers may have sent the request: the pool of the domain it was posted to; on the
    server's own URL, the pool its NameID's qualifier names as SP, and those of the browser's sessions."""
    if domain_pool_id is not None:
        return [domain_pool_id]
    named = [q.removeprefix(SP_ENTITY_PREFIX) for q in sender.sp_name_qualifiers if q.startswith(SP_ENTITY_PREFIX)]
    from_cookies = [pool for pool in map(pool_of_cookie, cookies) if pool is not None]
    return list(dict.fromkeys(named + from_cookies))[:_MAX_POOLS_TRIED]


def _providers_with_entity_id(ctx: Ctx, pool_id: str, entity_id: str) -> list[IdentityProvider]:
    found: list[IdentityProvider] = []
    after: str | None = None
    with ctx.store.read() as tx:
        while True:
            page = tx.identity_providers.list(pool_id, _PROVIDERS_PAGE, after)
            found += [p for p in page.items if p.saml is not None and p.saml.entity_id == entity_id]
            if page.next_cursor is None:
                return found
            after = page.next_cursor


def _provider_started(
    ctx: Ctx, form: Mapping[str, str], cookies: Mapping[str, str], base: str, domain_pool_id: str | None
) -> LogoutDone:
    """End the sessions the provider's signed LogoutRequest names, in every browser, and answer the provider.

    No cookie is needed (a cross-site POST over HTTPS carries no SameSite=Lax cookie): the request is
    signed by the provider, names whom to sign out, and is acted on once."""
    saml_request = form.get("SAMLRequest") or ""
    try:
        sender = logout_request_sender(saml_request)
    except SamlResponseError:
        raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED) from None
    for pool_id in _candidate_pools(domain_pool_id, sender, cookies):
        for provider in _providers_with_entity_id(ctx, pool_id, sender.issuer):
            accepted = _accepted_request(ctx, provider, base, saml_request)
            if accepted is not None:
                return _signed_out(ctx, accepted[0], accepted[1], form.get("RelayState"), cookies)
    raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED)


def _accepted_request(
    ctx: Ctx, provider: IdentityProvider, base: str, saml_request: str
) -> tuple[IdentityProvider, LogoutRequestReceived] | None:
    """The request checked against the provider's current metadata, and once more after reading it again
    when no certificate verified its signature (saml_metadata_refresh.py); None when refused."""
    provider = fresh_saml_provider(ctx, provider)
    try:
        return provider, accept_logout_request(ctx, provider, base, saml_request)
    except ValueError:
        return None
    except SamlResponseError as err:
        # An unsigned request stays unsigned whatever the metadata says.
        bad_signature = err.description == SIGNATURE_INVALID and err.reason != "unsigned"
    refetched = refetched_saml_provider(ctx, provider) if bad_signature else None
    if refetched is None:
        return None
    try:
        return refetched, accept_logout_request(ctx, refetched, base, saml_request)
    except (SamlResponseError, ValueError):
        return None


def _signed_out(
    ctx: Ctx,
    provider: IdentityProvider,
    received: LogoutRequestReceived,
    relay_state: str | None,
    cookies: Mapping[str, str],
) -> LogoutDone:
    pool_id = provider.pool_id
    session_cookie = cookie_name(pool_id)
    mine = session_of(ctx, pool_id, cookies.get(session_cookie))
    try:
        with ctx.store.write() as tx:
            tx.saml_assertions.remember(
                pool_id,
                provider.saml.entity_id if provider.saml else "",
                "logout:" + received.request_id,
                received.retain_until,
                ctx.now,
            )
            tx.hosted_sessions.delete_saml(pool_id, provider.name, received.name_id.value, received.session_indexes)
    except Conflict:  # the same LogoutRequest again
        raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED) from None
    ended_here = mine is not None and mine.saml is not None and _names(received, provider.name, mine.saml)
    try:
        answer = logout_response_redirect(ctx, provider, received.request_id, relay_state)
    except ValueError:  # the provider's metadata has no HTTP-Redirect SLO endpoint to answer at
        raise PageError(LOGOUT_REFUSED, _NOT_SUPPORTED) from None
    return LogoutDone(answer.url, session_cookie if ended_here else None)


def _names(received: LogoutRequestReceived, provider_name: str, link: SamlSessionLink) -> bool:
    """Whether the LogoutRequest names the sign-in ``link`` (the rule of HostedSessionRepo.delete_saml)."""
    return (
        link.provider_name == provider_name
        and link.name_id.value == received.name_id.value
        and (not received.session_indexes or link.session_index in received.session_indexes)
    )
