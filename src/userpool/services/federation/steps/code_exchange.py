"""The token request to an identity provider: the authorization code it sent back exchanged for its tokens
(RFC 6749 §4.1.3), the way Cognito makes it.

Cognito authenticates with ``client_secret_post`` only ("Using OIDC identity providers with a user pool",
Amazon Cognito developer guide): the client ID and secret go in the form. Facebook's token endpoint is
called with GET and the same parameters in the query (its ``token_request_method`` is GET). Sign in with
Apple's secret is an ES256 JWT built for the request (``apple_client_secret``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from userpool.context import Ctx
from userpool.crypto.apple_client_secret import APPLE_AUDIENCE, load_apple_private_key
from userpool.crypto.apple_client_secret import apple_client_secret as sign_apple_client_secret
from userpool.outbound.port import OutboundResponse
from userpool.services.federation.steps.idp_calls import call_idp, json_object
from userpool.services.federation.steps.idp_errors import IdpError, IdpFailure


@dataclass(frozen=True, slots=True)
class IdpTokens:
    """What the provider's token endpoint answered (RFC 6749 §5.1); ``id_token`` is "" when it sent none
    (OAuth 2.0 providers: Facebook, Login with Amazon)."""

    access_token: str
    id_token: str
    token_type: str
    expires_in: int | None


def exchange_code(
    ctx: Ctx,
    *,
    provider_name: str,
    token_url: str,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    token_request_method: str = "POST",  # noqa: S107 (an HTTP method)
    code_verifier: str = "",
) -> IdpTokens:
    """The provider's tokens for ``code``. ``redirect_uri`` is the one the authorization request carried
    (our ``/oauth2/idpresponse``); ``code_verifier`` the PKCE verifier (RFC 7636 §4.5) when that request
    carried a challenge. IdpError TOKEN_UNREACHABLE, TOKEN_ERROR ("<provider_name> Error - <status> error
    getting token") or TOKEN_RESPONSE_INVALID."""
    parameters = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    if code_verifier:
        parameters["code_verifier"] = code_verifier
    url: str = token_url
    form: dict[str, str] | None = parameters
    if token_request_method.upper() == "GET":
        url, form = token_url + ("&" if "?" in token_url else "?") + urlencode(parameters), None
    answer = call_idp(
        ctx,
        url,
        unreachable=IdpFailure.TOKEN_UNREACHABLE,
        timeout_words="Timeout occurred in calling IdP token endpoint",
        form=form,
        headers={"Accept": "application/json"},
    )
    return _tokens(answer, provider_name)


def _tokens(answer: OutboundResponse, provider_name: str) -> IdpTokens:
    body = json_object(answer.body)
    if answer.status != 200:
        error = body.get("error") if body is not None else None
        if provider_name == "Google" and isinstance(error, str):
            raise IdpError(IdpFailure.TOKEN_ERROR, f"Google Error - {answer.status} {error}")
        raise IdpError(IdpFailure.TOKEN_ERROR, f"{provider_name} Error - {answer.status} error getting token")
    if body is None:
        raise IdpError(IdpFailure.TOKEN_RESPONSE_INVALID, f"{provider_name} Error - the token response is not JSON")
    access_token, id_token = body.get("access_token"), body.get("id_token", "")
    if not isinstance(access_token, str) or not access_token or not isinstance(id_token, str):
        raise IdpError(
            IdpFailure.TOKEN_RESPONSE_INVALID, f"{provider_name} Error - the token response has no access_token"
        )
    token_type = body.get("token_type")
    expires_in = body.get("expires_in")
    return IdpTokens(
        access_token=access_token,
        id_token=id_token,
        token_type=token_type if isinstance(token_type, str) else "",
        expires_in=expires_in if isinstance(expires_in, int) and not isinstance(expires_in, bool) else None,
    )


def apple_client_secret(
    ctx: Ctx, *, private_key: str, team_id: str, key_id: str, client_id: str, audience: str = APPLE_AUDIENCE
) -> str:
    """Sign in with Apple's client secret for a token request made now. ``audience`` is Apple's issuer, or
    the issuer that replaces it in ``federation.social_endpoints`` (a stand-in checks it likewise). A key
    that does not load fails as TOKEN_ERROR: the token request cannot be made."""
    try:
        key = load_apple_private_key(private_key)
    except ValueError:
        raise IdpError(IdpFailure.TOKEN_ERROR, "SignInWithApple Error - the private_key cannot be used") from None
    return sign_apple_client_secret(
        key, team_id=team_id, key_id=key_id, client_id=client_id, now=ctx.now, audience=audience
    )
