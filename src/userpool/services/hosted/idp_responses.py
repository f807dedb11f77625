"""``/oauth2/idpresponse``: an external identity provider's answer, turned into the application's code or tokens
(Cognito developer guide: 'OIDC user pool IdP authentication flow', 'The redirect and authorization endpoint').

The answer's ``state`` names the federation transaction, which is taken (deleted) at once, so an answer is
used at most once. Until the transaction is known and belongs to this browser, nothing can be sent to any
application (PageError: the error page). After that every refusal goes to the application's redirect URI
as ``error`` and ``error_description`` in Cognito's words, with the application's ``state``; nothing is
created by a refused answer. The provider is called outside any transaction.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.crypto.sealing import SealError
from userpool.errors import CognitoError
from userpool.model.client_config import supported_identity_providers
from userpool.model.federation_transactions import SAML_LOGOUT, SIGN_IN, FederationTransaction
from userpool.model.identity_providers import SAML, IdentityProvider, sign_in_details
from userpool.model.oauth_records import SamlSessionLink
from userpool.model.oauth_requests import MAX_PARAMETER, AuthorizeRequest, OAuthError
from userpool.model.records import User
from userpool.monitoring.port import ERROR_PAGE, FEDERATED, OTHER, TOKENS
from userpool.services.federation.steps.federated_calls import FederatedSignInError, ProviderIdentity
from userpool.services.federation.steps.federated_users import sign_in_federated_user
from userpool.services.federation.steps.idp_errors import IdpError
from userpool.services.federation.steps.provider_answers import ProviderCall, verified_answer
from userpool.services.hosted.login_sessions import cookie_name, end_session, open_session, session_id_of
from userpool.services.hosted.oauth_authorize import PageError, Target, application_error, complete

# The error page's key for an answer that belongs to no live sign-in of this browser.
NO_SIGN_IN = "idp_response"
NO_SIGN_IN_WORDS = "This sign-in is unknown, expired or already used. Please go back to the application."
# An error code from the provider is passed on only when it is an RFC 6749 §4.1.2.1 token.
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")
_MAX_DESCRIPTION = 512


@dataclass(frozen=True, slots=True)
class Finished:
    """Where the browser goes next, and the name and value of the hosted session cookie to set (None: none
    was opened); ``refusal``: the error code the application is sent, if it is sent one."""

    url: str
    session: tuple[str, str] | None = None
    refusal: str | None = None


def refused(request: AuthorizeRequest, refusal: OAuthError) -> Finished:
    """The application told of ``refusal`` at its redirect URI."""
    url = application_error(request.redirect_uri, request.response_type, request.state, refusal)
    return Finished(url, refusal=refusal.error)


def counted_federated(ctx: Ctx, answer: Callable[[], Finished]) -> Finished:
    """An identity provider's ``answer`` handled and counted as a federated sign-in: tokens when the user is
    signed in, the error code sent to the application, or error_page when no application could be told."""
    try:
        finished = answer()
    except PageError:
        ctx.metrics.sign_in(FEDERATED, ERROR_PAGE)
        raise
    ctx.metrics.sign_in(FEDERATED, TOKENS if finished.session is not None else finished.refusal or OTHER)
    return finished


class _ToApplication(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.refusal = OAuthError(error, description)


def answer_from_provider(
    ctx: Ctx, params: Mapping[str, str], binding: str | None, cookies: Mapping[str, str]
) -> Finished:
    """Handle the provider's answer ``params`` (query or form) from the browser holding the binding cookie
    ``binding`` and ``cookies`` (perhaps an earlier hosted session with the pool); PageError when the answer
    belongs to no sign-in of this browser."""

    def answer() -> Finished:
        transaction = taken_transaction(ctx, params.get("state"), binding)
        target, request, provider = resumed(ctx, transaction)
        try:
            user = _signed_in_user(ctx, target, transaction, provider, params)
        except _ToApplication as err:
            return refused(request, err.refusal)
        return finish(ctx, target, request, user, cookies)

    return counted_federated(ctx, answer)


def resumed(ctx: Ctx, transaction: FederationTransaction) -> tuple[Target, AuthorizeRequest, IdentityProvider | None]:
    """The application's request a federation transaction kept, and the provider it went to (None when the
    record is gone); PageError when the pool or client is gone."""
    with ctx.store.read() as tx:
        pool = tx.pools.get(transaction.pool_id)
        client = tx.clients.get(transaction.client_id)
        provider = tx.identity_providers.get(transaction.pool_id, transaction.provider_name)
    if pool is None or client is None or client.pool_id != pool.id:
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
    request = AuthorizeRequest(
        client_id=client.id,
        redirect_uri=transaction.redirect_uri,
        response_type=transaction.response_type,
        scopes=transaction.scopes,
        state=transaction.app_state,
        nonce=transaction.app_nonce,
        code_challenge=transaction.code_challenge,
        code_challenge_method=transaction.code_challenge_method,
    )
    return Target(pool, client, transaction.redirect_uri), request, provider


def finish(
    ctx: Ctx,
    target: Target,
    request: AuthorizeRequest,
    user: User,
    cookies: Mapping[str, str],
    saml: SamlSessionLink | None = None,
) -> Finished:
    """The signed-in ``user``'s hosted session opened (an earlier one of the browser ended) and the
    application's request answered; a refusal of the pool's PreTokenGeneration function goes to the
    application."""
    name = cookie_name(target.pool.id)
    try:
        end_session(ctx, target.pool.id, cookies.get(name))
        cookie = open_session(ctx, target.pool, target.client.id, user, ctx.now, saml)
        url = complete(ctx, target, request, user, ctx.now, session_id_of(cookie))
        return Finished(url, (name, cookie))
    except CognitoError as err:  # the pool's PreTokenGeneration function refused the implicit tokens
        refusal = OAuthError("invalid_request", err.message)
    return refused(request, refusal)


def taken_transaction(ctx: Ctx, state: str | None, binding: str | None, kind: str = SIGN_IN) -> FederationTransaction:
    """The live transaction of ``state`` (a sign-in, or ``SAML_LOGOUT``), taken, if this browser started it."""
    if not state or len(state) > MAX_PARAMETER:
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
    try:
        with ctx.store.write() as tx:
            transaction = tx.federation_transactions.take(digest(state))
    except SealError:  # sealed under a server secret no longer configured
        transaction = None
    if transaction is None or transaction.expires_at <= ctx.now:
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
    if not binding or not hmac.compare_digest(digest(binding), transaction.binding_hash):
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
    if (transaction.response_type == SAML_LOGOUT) != (kind == SAML_LOGOUT):
        raise PageError(NO_SIGN_IN, NO_SIGN_IN_WORDS)
    return transaction


def _provider_refusal(params: Mapping[str, str]) -> _ToApplication:
    """The provider's own error (RFC 6749 §4.1.2.1), passed on to the application."""
    error = params.get("error", "")
    code = error if _ERROR_CODE.fullmatch(error) else "invalid_request"
    words = params.get("error_description") or error
    words = "".join(c for c in words if c.isprintable())[:_MAX_DESCRIPTION] or "The identity provider refused."
    return _ToApplication(code, words)


def _signed_in_user(
    ctx: Ctx,
    target: Target,
    transaction: FederationTransaction,
    provider: IdentityProvider | None,
    params: Mapping[str, str],
) -> User:
    if (
        provider is None
        or provider.provider_type == SAML
        or provider.name not in supported_identity_providers(target.client)
    ):
        raise _ToApplication("invalid_request", "Login option is not available. Please try another one")
    if "error" in params:
        raise _provider_refusal(params)
    code = params.get("code")
    if not code or len(code) > MAX_PARAMETER:
        raise _ToApplication("invalid_request", f"{provider.name} Error - no authorization code was returned")
    call = ProviderCall(
        name=provider.name,
        provider_type=provider.provider_type,
        details=sign_in_details(provider, ctx.settings.federation.endpoints_of(provider.provider_type)),
        attribute_mapping=provider.attribute_mapping,
        redirect_uri=transaction.idp_redirect_uri,
        nonce=transaction.nonce,
        code_verifier=transaction.code_verifier,
    )
    try:
        answer = verified_answer(ctx, call, code, params.get("user"))
    except IdpError as err:
        raise _ToApplication("invalid_request", err.description) from None
    identity = ProviderIdentity(provider.name, provider.provider_type, None, provider.attribute_mapping)
    try:
        return sign_in_federated_user(
            ctx, target.pool, target.client, identity, answer.subject, answer.claims, provider_attributes=answer.parts
        )
    except FederatedSignInError as err:
        raise _ToApplication(err.error, err.description) from None
