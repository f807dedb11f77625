"""OIDC discovery: the document has what OpenID Connect Discovery 1.0 §3 requires, its endpoints are those
of the host it was fetched from, and an unmodified OIDC client configured with nothing but the issuer URL
signs a user in."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.starlette_client import OAuth

from tests.oauth.conftest import CALLBACK, PASSWORD, OAuthServer, oauth_client
from tests.support import hosted

# OpenID Connect Discovery 1.0, §3 "OpenID Provider Metadata": REQUIRED members (token_endpoint is required
# unless only the implicit flow is used).
REQUIRED = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
)


def test_discovery__has_the_required_members(oauth_server: OAuthServer, pool_id: str) -> None:
    issuer = oauth_server.issuer(pool_id)
    doc = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    for member in REQUIRED:
        assert doc.get(member), member
    # OpenID Connect Discovery 1.0 §4.3: the issuer is exactly the URL the document was derived from.
    assert doc["issuer"] == issuer
    assert "code" in doc["response_types_supported"]
    assert set(doc["subject_types_supported"]) <= {"public", "pairwise"}
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    assert "openid" in doc["scopes_supported"]
    # RFC 8414 §2: the PKCE methods the server accepts; Cognito accepts S256 only.
    assert doc["code_challenge_methods_supported"] == ["S256"]
    for member in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert doc[member].startswith(oauth_server.url + "/"), member
    assert httpx.get(doc["jwks_uri"]).json()["keys"]


def test_discovery__endpoints_follow_the_pool_domain(oauth_server: OAuthServer, pool_id: str) -> None:
    oauth_server.idp.create_user_pool_domain(UserPoolId=pool_id, Domain="acme")
    port = oauth_server.url.rsplit(":", 1)[1]
    host = f"acme.127.0.0.1:{port}"
    doc = httpx.get(f"{oauth_server.url}/.well-known/openid-configuration", headers={"host": host}).json()
    assert doc["authorization_endpoint"] == f"http://{host}/oauth2/authorize"
    assert doc["issuer"] == oauth_server.issuer(pool_id)
    # On the domain, clients of other pools are unknown.
    other_pool = oauth_server.idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    stranger = oauth_client(oauth_server.idp, other_pool)
    own = oauth_client(oauth_server.idp, pool_id)
    query = {"response_type": "code", "redirect_uri": CALLBACK}
    authorize = f"{oauth_server.url}/oauth2/authorize"
    refused = httpx.get(authorize, params={**query, "client_id": stranger["ClientId"]}, headers={"host": host})
    assert refused.headers["location"].startswith("/error?error=invalid_client")
    accepted = httpx.get(authorize, params={**query, "client_id": own["ClientId"]}, headers={"host": host})
    assert accepted.headers["location"].startswith("/login?")
    # Not a domain: the root discovery document does not exist.
    assert httpx.get(f"{oauth_server.url}/.well-known/openid-configuration").status_code == 404


async def _discovery_client_journey(server: OAuthServer, client: dict[str, Any], issuer: str) -> dict[str, Any]:
    oauth = OAuth()
    rp = oauth.register(
        "userpool",
        client_id=client["ClientId"],
        client_secret=client["ClientSecret"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email", "code_challenge_method": "S256"},
    )
    nonce = generate_token(20)
    verifier = generate_token(64)
    start = await rp.create_authorization_url(redirect_uri=CALLBACK, nonce=nonce, code_verifier=verifier)
    with httpx.Client(follow_redirects=False) as browser:
        answer = await asyncio.to_thread(hosted.sign_in, browser, start["url"], "alice", PASSWORD)
    params = hosted.callback_params(answer, CALLBACK)
    assert params["state"] == start["state"]
    token = await rp.fetch_access_token(redirect_uri=CALLBACK, code=params["code"], code_verifier=verifier)
    # parse_id_token checks signature (jwks_uri), iss, aud, exp, nonce and at_hash.
    claims = await rp.parse_id_token(token, nonce=nonce)
    info = await rp.userinfo(token=token)
    return {"claims": dict(claims), "userinfo": dict(info)}


def test_discovery__an_oidc_client_configured_with_the_issuer_only_signs_in(
    oauth_server: OAuthServer, pool_id: str
) -> None:
    client = oauth_client(oauth_server.idp, pool_id)
    issuer = oauth_server.issuer(pool_id)
    result = asyncio.run(_discovery_client_journey(oauth_server, client, issuer))
    assert result["claims"]["iss"] == issuer and result["claims"]["cognito:username"] == "alice"
    assert result["userinfo"]["email"] == "alice@example.com"
