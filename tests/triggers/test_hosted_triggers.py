"""The sign-in triggers on the hosted pages and the OAuth endpoints: PostAuthentication when a hosted sign-in ends (its
refusal keeps the code from the application), PreTokenGeneration with TokenGeneration_HostedAuth for the code grant and
TokenGeneration_RefreshTokens for ``/oauth2/token`` refreshes (Cognito developer guide: 'Pre token generation Lambda
trigger')."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.support import hosted
from tests.support.auth import payload
from tests.triggers.conftest import TriggerServer, events
from tests.triggers.sign_in_pools import PASSWORD, sign_in_pool, user

CALLBACK = "http://localhost:8123/callback"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _oauth_client(idp: Any, pool_id: str) -> dict[str, Any]:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return dict(created["UserPoolClient"])


def _authorize_url(server: TriggerServer, client: dict[str, Any], verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    query = {
        "client_id": client["ClientId"],
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": CALLBACK,
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{server.url}/oauth2/authorize?{urlencode(query)}"


def _token(server: TriggerServer, client: dict[str, Any], form: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/oauth2/token", data=form, auth=(client["ClientId"], client["ClientSecret"]), timeout=30
    )


def test_hosted_sign_in__post_authentication_and_pre_token_generation(
    server: TriggerServer, idp: Any, http: httpx.Client
) -> None:
    pool_id = sign_in_pool(idp, {"PostAuthentication": "post_authentication"}, pre_token=("V2_0", "pre_token_v2"))
    client = _oauth_client(idp, pool_id)
    sub = user(idp, pool_id, "ann", "ann@example.com")
    verifier = secrets.token_urlsafe(48)
    answer = hosted.sign_in(http, _authorize_url(server, client, verifier), "ann", PASSWORD)
    code = hosted.callback_params(answer, CALLBACK)["code"]
    [post] = events("post_authentication")
    assert post["triggerSource"] == "PostAuthentication_Authentication"
    assert post["request"]["userAttributes"]["sub"] == sub
    assert post["callerContext"]["clientId"] == client["ClientId"]

    tokens = _token(
        server,
        client,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier},
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    [pre] = events("pre_token_v2")
    assert pre["triggerSource"] == "TokenGeneration_HostedAuth"
    access = payload(body["access_token"])
    assert access["tenant_id"] == 7 and access["token_source"] == "TokenGeneration_HostedAuth"
    assert "orders/read" in access["scope"].split() and "openid" in access["scope"].split()
    assert payload(body["id_token"])["plan"] == "gold"

    refreshed = _token(server, client, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert payload(refreshed.json()["access_token"])["token_source"] == "TokenGeneration_RefreshTokens"


def test_hosted_sign_in__post_authentication_refusal_gives_no_code(
    server: TriggerServer, idp: Any, http: httpx.Client
) -> None:
    pool_id = sign_in_pool(idp, {"PostAuthentication": "post_authentication"})
    client = _oauth_client(idp, pool_id)
    user(idp, pool_id, "bob", "bob@audit-down.example")
    answer = hosted.sign_in(http, _authorize_url(server, client, secrets.token_urlsafe(48)), "bob", PASSWORD)
    # The sign-in page again, with the function's refusal: the application gets nothing.
    assert answer.status_code == 400
    assert "Audit log unavailable" in answer.text
    assert "location" not in answer.headers
