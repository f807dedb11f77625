"""Authorization code + PKCE with authlib's OAuth 2.0 client as the relying party, the hosted sign-in form
filled over HTTP; then userInfo, refresh, revocation and logout (Cognito developer guide: 'User pool endpoints
and managed login reference')."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oauth.conftest import CALLBACK, PASSWORD, SIGNED_OUT, OAuthServer, confirmed_user, oauth_client
from tests.support import hosted


def _relying_party(server: OAuthServer, client: dict[str, Any], scope: str = "openid email profile") -> OAuth2Client:
    return OAuth2Client(
        client["ClientId"],
        client.get("ClientSecret"),
        scope=scope,
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if client.get("ClientSecret") else "none",
    )


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def _verify(server: OAuthServer, pool_id: str, token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx.get(f"{server.issuer(pool_id)}/.well-known/jwks.json").json())
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


def _authorize(server: OAuthServer, http: httpx.Client, rp: OAuth2Client, **extra: str) -> tuple[str, str, str]:
    """(code, state, verifier) of a sign-in through the hosted form."""
    verifier = generate_token(64)
    url, state = rp.create_authorization_url(f"{server.url}/oauth2/authorize", code_verifier=verifier, **extra)
    answer = hosted.sign_in(http, url, "alice", PASSWORD)
    params = hosted.callback_params(answer, CALLBACK)
    assert params["state"] == state
    return params["code"], state, verifier


def test_authorization_code__authlib_pkce_userinfo_refresh_revoke_logout(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    client = oauth_client(oauth_server.idp, pool_id)
    with _relying_party(oauth_server, client) as rp:
        _full_journey(oauth_server, pool_id, http, client, rp)


def _full_journey(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client, client: dict[str, Any], rp: OAuth2Client
) -> None:
    nonce = generate_token(20)
    code, state, verifier = _authorize(oauth_server, http, rp, nonce=nonce)
    token_url = f"{oauth_server.url}/oauth2/token"
    token = rp.fetch_token(
        token_url, authorization_response=f"{CALLBACK}?code={code}&state={state}", code_verifier=verifier
    )
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert {"access_token", "id_token", "refresh_token"} <= set(token)

    id_claims = _verify(oauth_server, pool_id, token["id_token"])
    assert id_claims["nonce"] == nonce
    assert id_claims["at_hash"] == _at_hash(token["access_token"])
    assert id_claims["aud"] == client["ClientId"] and id_claims["iss"] == oauth_server.issuer(pool_id)
    access_claims = _verify(oauth_server, pool_id, token["access_token"])
    assert access_claims["scope"].split() == ["openid", "email", "profile"]
    assert access_claims["token_use"] == "access" and access_claims["client_id"] == client["ClientId"]

    info = rp.get(f"{oauth_server.url}/oauth2/userInfo").json()
    assert info["sub"] == id_claims["sub"] and info["username"] == "alice"
    assert info["email"] == "alice@example.com" and info["email_verified"] == "true"
    assert rp.post(f"{oauth_server.url}/oauth2/userInfo").json()["sub"] == info["sub"]

    refreshed = rp.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert "id_token" in refreshed and refreshed["access_token"] != token["access_token"]
    assert _verify(oauth_server, pool_id, refreshed["id_token"])["auth_time"] == id_claims["auth_time"]

    revoked = rp.revoke_token(f"{oauth_server.url}/oauth2/revoke", token=token["refresh_token"])
    assert revoked.status_code == 200
    with pytest.raises(OAuthError) as refused:
        rp.refresh_token(token_url, refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"
    assert rp.get(f"{oauth_server.url}/oauth2/userInfo").status_code == 401

    # Signed in on the hosted pages: a second authorization needs no form ...
    url, _ = rp.create_authorization_url(f"{oauth_server.url}/oauth2/authorize", code_verifier=generate_token(64))
    assert http.get(url).headers["location"].startswith(CALLBACK + "?code=")
    # ... until /logout, which ends the session and returns to the registered logout URI.
    out = http.get(f"{oauth_server.url}/logout", params={"client_id": client["ClientId"], "logout_uri": SIGNED_OUT})
    assert out.status_code == 302 and out.headers["location"] == SIGNED_OUT
    assert http.get(url).headers["location"].startswith("/login?")


def test_authorization_code__single_sign_on_across_clients_and_public_client(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    first = oauth_client(oauth_server.idp, pool_id)
    second = oauth_client(oauth_server.idp, pool_id, secret=False, ClientName="mobile")
    with _relying_party(oauth_server, first) as rp:
        _authorize(oauth_server, http, rp)
    with _relying_party(oauth_server, second, scope="openid") as rp:
        _second_client(oauth_server, pool_id, http, second, rp)


def _second_client(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client, second: dict[str, Any], rp: OAuth2Client
) -> None:
    verifier = generate_token(64)
    url, state = rp.create_authorization_url(f"{oauth_server.url}/oauth2/authorize", code_verifier=verifier)
    answer = http.get(url)
    code = hosted.callback_params(answer, CALLBACK)["code"]
    token = rp.fetch_token(
        f"{oauth_server.url}/oauth2/token",
        authorization_response=f"{CALLBACK}?code={code}&state={state}",
        code_verifier=verifier,
    )
    claims = _verify(oauth_server, pool_id, token["access_token"])
    assert claims["client_id"] == second["ClientId"] and claims["scope"] == "openid"
    # email and profile were not granted: userInfo gives no email.
    assert "email" not in rp.get(f"{oauth_server.url}/oauth2/userInfo").json()


def test_authorize__implicit_flow_returns_tokens_in_the_fragment(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    client = oauth_client(oauth_server.idp, pool_id, AllowedOAuthFlows=["implicit"])
    query = {"client_id": client["ClientId"], "response_type": "token", "redirect_uri": CALLBACK, "state": "s1"}
    url = f"{oauth_server.url}/oauth2/authorize?" + httpx.QueryParams({**query, "nonce": "n1"}).__str__()
    answer = hosted.sign_in(http, url, "alice", PASSWORD)
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "#")
    values = {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}
    assert values["state"] == "s1" and values["token_type"] == "Bearer" and "refresh_token" not in values
    claims = _verify(oauth_server, pool_id, values["id_token"])
    assert claims["nonce"] == "n1" and claims["at_hash"] == _at_hash(values["access_token"])


def test_authorize__prompt_none_without_session_is_login_required(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    client = oauth_client(oauth_server.idp, pool_id)
    query = {"client_id": client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK}
    answer = http.get(f"{oauth_server.url}/oauth2/authorize", params={**query, "prompt": "none", "state": "x"})
    params = hosted.callback_params(answer, CALLBACK)
    assert params["error"] == "login_required" and params["state"] == "x"


def test_authorization_code__pools_on_the_servers_url_keep_separate_sessions(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    """Every pool without a domain is served on the server's own host: a sign-in to one pool, or a logout
    from it, leaves the browser's session with another pool as it was."""
    other_pool = str(oauth_server.idp.create_user_pool(PoolName="Other")["UserPool"]["Id"])
    confirmed_user(oauth_server.idp, other_pool)
    urls = {}
    for pool in (pool_id, other_pool):
        client = oauth_client(oauth_server.idp, pool)
        query = {"client_id": client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK}
        urls[pool] = (f"{oauth_server.url}/oauth2/authorize?{httpx.QueryParams(query)}", client["ClientId"])
        hosted.callback_params(hosted.sign_in(http, urls[pool][0], "alice", PASSWORD), CALLBACK)
    for pool in (pool_id, other_pool):
        assert http.get(urls[pool][0]).headers["location"].startswith(CALLBACK + "?code="), pool

    out = http.get(f"{oauth_server.url}/logout", params={"client_id": urls[other_pool][1], "logout_uri": SIGNED_OUT})
    assert out.headers["location"] == SIGNED_OUT
    assert http.get(urls[other_pool][0]).headers["location"].startswith("/login?")
    assert http.get(urls[pool_id][0]).headers["location"].startswith(CALLBACK + "?code=")
