"""``/oauth2/authorize``: checking the request and answering the application with a code or tokens (Cognito developer
guide: 'Authorize endpoint'; RFC 6749 §4.1, §4.2; RFC 7636).

Two kinds of refusal. Until the client and its redirect URI are known to be good, nothing is sent to the
redirect URI (``PageError``: the browser is shown an error page) — otherwise anybody could make the server
redirect to a URL of their choosing. After that, errors go back to the application as
``<redirect_uri>?error=…&state=…`` (or in the fragment, for the implicit flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.client_config import (
    allowed_oauth_scopes,
    callback_urls,
    default_redirect_uri,
    supported_identity_providers,
)
from userpool.model.oauth_records import AuthorizationCode
from userpool.model.oauth_requests import (
    CODE_LIFETIME_SECONDS,
    RESPONSE_TYPES,
    AuthorizeRequest,
    OAuthError,
    check_pkce_challenge,
    choose_redirect_uri,
    granted_scopes,
    parse_prompt,
    single,
)
from userpool.model.records import Client, Pool, User
from userpool.services.hosted.oauth_clients import allows_flow, oauth_client
from userpool.services.tokens.steps.token_issuance import issue_tokens
from userpool.services.tokens.steps.tokens import OAuthIssue, start_session
from userpool.triggers.sources import Source

COGNITO = "COGNITO"


class PageError(Exception):
    """A refusal shown to the browser and never sent to the redirect URI (unknown client, unregistered
    redirect URI): ``error`` as AWS names it on its ``/error`` page."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True, slots=True)
class Target:
    """The pool, the client and the redirect URI an authorization request may answer to."""

    pool: Pool
    client: Client
    redirect_uri: str


def authorize_target(ctx: Ctx, params: Mapping[str, str], domain_pool_id: str | None) -> Target:
    """The client and redirect URI of an authorize request (or of a hosted page that carries one), or
    PageError. On a pool's domain the client must be one of that pool's."""
    try:
        client_id = single(params, "client_id")
        given_uri = single(params, "redirect_uri")
    except OAuthError as err:
        raise PageError("invalid_request", err.description) from None
    if client_id is None:
        raise PageError("invalid_request", "The client_id parameter is required.")
    with ctx.store.read() as tx:
        found = oauth_client(tx, client_id, domain_pool_id)
    if found is None:
        raise PageError("invalid_client", "The application is not known to this user pool.")
    pool, client = found
    uri = choose_redirect_uri(given_uri, callback_urls(client), default_redirect_uri(client))
    if uri is None:
        raise PageError("redirect_mismatch", "The redirect_uri is not registered for this application.")
    return Target(pool, client, uri)


def _identity_provider(target: Target, local_sign_in: bool) -> None:
    """An application must offer some way to sign in; a page of the pool's own sign-in (password, sign-up,
    reset) needs COGNITO among the client's SupportedIdentityProviders."""
    providers = supported_identity_providers(target.client)
    if not providers or (local_sign_in and COGNITO not in providers):
        raise OAuthError("unauthorized_client", "The application does not allow sign-in with the user pool.")


def authorize_request(target: Target, params: Mapping[str, str], local_sign_in: bool = True) -> AuthorizeRequest:
    """Check the rest of the request against the client; OAuthError is sent back to the application.
    ``local_sign_in``: the request is for the pool's own sign-in pages, not for choosing a provider."""
    response_type = single(params, "response_type")
    if response_type is None:
        raise OAuthError("invalid_request", "The response_type parameter is required.")
    flow = RESPONSE_TYPES.get(response_type)
    if flow is None:
        raise OAuthError("unsupported_response_type", "response_type must be code or token.")
    if not allows_flow(target.client, flow):
        raise OAuthError("unauthorized_client", f"The {flow} flow is not allowed for this application.")
    _identity_provider(target, local_sign_in)
    scopes = granted_scopes(params.get("scope"), allowed_oauth_scopes(target.client))
    challenge, method = check_pkce_challenge(single(params, "code_challenge"), single(params, "code_challenge_method"))
    return AuthorizeRequest(
        client_id=target.client.id,
        redirect_uri=target.redirect_uri,
        response_type=response_type,
        scopes=scopes,
        state=single(params, "state"),
        nonce=single(params, "nonce"),
        code_challenge=challenge,
        code_challenge_method=method,
        prompt=parse_prompt(single(params, "prompt")),
    )


def state_of(params: Mapping[str, str]) -> str | None:
    """The ``state`` to echo with an error, when it is one that can be echoed."""
    try:
        return single(params, "state")
    except OAuthError:
        return None


def _to_application(redirect_uri: str, values: dict[str, str], fragment: bool) -> str:
    encoded = urlencode(values)
    if fragment:
        return f"{redirect_uri}#{encoded}"
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{encoded}"


def error_redirect(target: Target, params: Mapping[str, str], err: OAuthError) -> str:
    """``<redirect_uri>?error=…&error_description=…&state=…`` (fragment for response_type=token)."""
    return application_error(target.redirect_uri, params.get("response_type"), state_of(params), err)


def application_error(redirect_uri: str, response_type: str | None, state: str | None, err: OAuthError) -> str:
    """The error sent to the application at its checked ``redirect_uri``, with its ``state``."""
    values = {"error": err.error, "error_description": err.description}
    if state is not None:
        values["state"] = state
    return _to_application(redirect_uri, values, response_type == "token")


def complete(
    ctx: Ctx, target: Target, request: AuthorizeRequest, user: User, auth_time: float, sso_session_id: str | None
) -> str:
    """The URL that hands the signed-in ``user``'s code (or, implicit flow, tokens) to the application; the
    sign-in they start came through the hosted session ``sso_session_id``."""
    if request.response_type == "token":
        return _implicit(ctx, target, request, user, auth_time, sso_session_id)
    value = new_opaque_value()
    code = AuthorizationCode(
        code_hash=digest(value),
        pool_id=target.pool.id,
        client_id=target.client.id,
        sub=user.sub,
        redirect_uri=request.redirect_uri,
        scopes=request.scopes,
        auth_time=auth_time,
        created_at=ctx.now,
        expires_at=ctx.now + CODE_LIFETIME_SECONDS,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        sso_session_id=sso_session_id,
    )
    with ctx.store.write() as tx:
        # Redeemed codes are kept until they expire, so that a second redemption can be recognised.
        tx.authorization_codes.delete_expired(ctx.now)
        tx.authorization_codes.add(code)
    values = {"code": value}
    if request.state is not None:
        values["state"] = request.state
    return _to_application(request.redirect_uri, values, fragment=False)


def _implicit(
    ctx: Ctx, target: Target, request: AuthorizeRequest, user: User, auth_time: float, sso_session_id: str | None
) -> str:
    """Implicit grant: tokens in the fragment, never a refresh token (RFC 6749 §4.2.2)."""
    with ctx.store.write() as tx:
        grant = start_session(
            ctx,
            tx,
            target.pool,
            target.client,
            user,
            scopes=request.scopes,
            auth_time=auth_time,
            sso_session_id=sso_session_id,
        )
    result = issue_tokens(ctx, grant, Source.TOKEN_GENERATION_HOSTED_AUTH, oauth=OAuthIssue(nonce=request.nonce))
    values = {"access_token": result["AccessToken"]}
    if "IdToken" in result:
        values["id_token"] = result["IdToken"]
    values.update({"token_type": "Bearer", "expires_in": str(result["ExpiresIn"])})
    if request.state is not None:
        values["state"] = request.state
    return _to_application(request.redirect_uri, values, fragment=True)
