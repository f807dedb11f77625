"""``/oauth2/authorize`` with ``identity_provider`` or ``idp_identifier``: the browser sent on to an external
identity provider (Cognito developer guide: 'Authorize endpoint', 'OIDC user pool IdP authentication flow';
OpenID Connect Core 1.0 §3.1.2.1; RFC 7636).

The application's request is kept server-side as a federation transaction under the SHA-256 of a random
``state``; the provider gets only that state, a fresh ``nonce`` (providers that send ID tokens) and an S256
PKCE challenge whose verifier stays with us, sealed. The application's own ``state``, ``nonce``,
``login_hint`` and ``prompt`` are not passed on. The transaction is bound to the browser by a cookie whose
SHA-256 it keeps (the route sets the cookie).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from urllib.parse import urlencode

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.client_config import supported_identity_providers
from userpool.model.federation_transactions import LIFETIME_SECONDS, FederationTransaction
from userpool.model.identity_providers import SIGN_IN_WITH_APPLE, IdentityProvider, sign_in_details
from userpool.model.oauth_requests import AuthorizeRequest, OAuthError, single
from userpool.services import housekeeping
from userpool.services.federation.steps.provider_answers import ID_TOKEN_TYPES
from userpool.services.hosted.oauth_authorize import COGNITO, PageError, Target

IDP_RESPONSE_PATH = "/oauth2/idpresponse"
# AWS's words on its managed-login page for a provider the app client does not offer (observed).
LOGIN_OPTION_UNAVAILABLE = "login_option_unavailable"
_UNAVAILABLE = "Login option is not available. Please try another one"


def chosen_provider(ctx: Ctx, target: Target, params: Mapping[str, str]) -> IdentityProvider | None:
    """The external provider an authorize request names, by ``identity_provider`` (exact, case-sensitive) or
    else by ``idp_identifier``; None for the pool's own sign-in (neither given, or COGNITO). A name or
    identifier of no provider the client offers is PageError: the browser is shown the error page, and the
    application is not told (as AWS does)."""
    try:
        name = single(params, "identity_provider")
        identifier = None if name is not None else single(params, "idp_identifier")
    except OAuthError:
        raise PageError(LOGIN_OPTION_UNAVAILABLE, _UNAVAILABLE) from None
    offered = supported_identity_providers(target.client)
    if name == COGNITO:
        if COGNITO not in offered:
            raise PageError(LOGIN_OPTION_UNAVAILABLE, _UNAVAILABLE)
        return None
    if name is None and identifier is None:
        return None
    with ctx.store.read() as tx:
        if name is not None:
            provider = tx.identity_providers.get(target.pool.id, name)
        else:
            provider = tx.identity_providers.find_by_identifier(target.pool.id, identifier or "")
    if provider is None or provider.name not in offered:
        raise PageError(LOGIN_OPTION_UNAVAILABLE, _UNAVAILABLE)
    return provider


def _challenge(verifier: str) -> str:
    """RFC 7636 §4.2: S256."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def redirect_to_provider(
    ctx: Ctx,
    target: Target,
    request: AuthorizeRequest,
    provider: IdentityProvider,
    idp_redirect_uri: str,
    binding: str,
) -> str:
    """Keep the application's ``request`` as a federation transaction and return the provider's authorization
    URL. ``idp_redirect_uri``: ``/oauth2/idpresponse`` on the host the browser used; ``binding``: the value of
    the browser's binding cookie."""
    details = sign_in_details(provider, ctx.settings.federation.endpoints_of(provider.provider_type))
    state, nonce, verifier = new_opaque_value(), new_opaque_value(), new_opaque_value()
    keep_transaction(ctx, target, request, provider.name, state, nonce, verifier, idp_redirect_uri, binding)
    query = {
        "response_type": "code",
        "client_id": details.get("client_id", ""),
        "redirect_uri": idp_redirect_uri,
        "scope": details.get("authorize_scopes", ""),
        "state": state,
    }
    if provider.provider_type in ID_TOKEN_TYPES:
        query["nonce"] = nonce
    query.update({"code_challenge": _challenge(verifier), "code_challenge_method": "S256"})
    if provider.provider_type == SIGN_IN_WITH_APPLE:
        # Apple posts its answer when name or email is asked for (Sign in with Apple REST API).
        query["response_mode"] = "form_post"
    authorize_url = details.get("authorize_url", "")
    return f"{authorize_url}{'&' if '?' in authorize_url else '?'}{urlencode(query)}"


def keep_transaction(
    ctx: Ctx,
    target: Target,
    request: AuthorizeRequest,
    provider_name: str,
    state: str,
    nonce: str,
    verifier: str,
    idp_redirect_uri: str,
    binding: str,
) -> None:
    """Store the application's ``request`` to ``provider_name`` under the SHA-256 of ``state``, bound to the
    browser's ``binding`` cookie, for five minutes."""
    transaction = FederationTransaction(
        state_hash=digest(state),
        pool_id=target.pool.id,
        client_id=target.client.id,
        provider_name=provider_name,
        redirect_uri=request.redirect_uri,
        response_type=request.response_type,
        scopes=request.scopes,
        app_state=request.state,
        app_nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        nonce=nonce,
        code_verifier=verifier,
        idp_redirect_uri=idp_redirect_uri,
        binding_hash=digest(binding),
        created_at=ctx.now,
        expires_at=ctx.now + LIFETIME_SECONDS,
    )
    with ctx.store.write() as tx:
        if housekeeping.due("federation_transactions", ctx.now):
            tx.federation_transactions.delete_expired(ctx.now)
        tx.federation_transactions.add(transaction)
