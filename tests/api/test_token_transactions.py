"""How many transactions the token paths open (docs/profiles.md): a refresh (InitiateAuth, GetTokensFromRefreshToken
or /oauth2/token), GetClientToken and the client_credentials grant read everything in one, each step of an SRP
sign-in reads its client and user in one."""

from __future__ import annotations

from typing import Any

from pycognito.aws_srp import AWSSRP

from tests.conftest import Server
from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.plans import Statement, captured_sql

API = "https://api.example.com"


def _transactions(statements: list[Statement]) -> list[str]:
    """Each transaction's BEGIN as sent: ``BEGIN`` for a read, ``BEGIN IMMEDIATE`` for a write (SQLite)."""
    return [s.sql.strip().upper() for s in statements if s.sql.lstrip().upper().startswith("BEGIN")]


def test_refresh__one_read_transaction(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "alice")
    tokens = sign_in(idp, client, "alice")
    idp.get_user(AccessToken=tokens["AccessToken"])  # the signing keys are parsed and cached now
    engine = app_server.runtime.store.engine
    with captured_sql(engine) as statements:
        idp.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert _transactions(statements) == ["BEGIN"]
    with captured_sql(engine) as statements:
        idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=client["ClientId"])
    assert _transactions(statements) == ["BEGIN"]
    form = {"grant_type": "refresh_token", "refresh_token": tokens["RefreshToken"], "client_id": client["ClientId"]}
    with captured_sql(engine) as statements:
        refreshed = app_server.test_client.post("/oauth2/token", data=form)
    assert refreshed.status_code == 200, refreshed.text
    assert _transactions(statements) == ["BEGIN"]


def test_client_credentials__one_read_transaction(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    scopes = [{"ScopeName": "read", "ScopeDescription": "read"}]
    idp.create_resource_server(UserPoolId=pool_id, Identifier=API, Name="api", Scopes=scopes)
    machine = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="machine",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_CLIENT_TOKEN_AUTH"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[f"{API}/read"],
    )["UserPoolClient"]
    credentials = (machine["ClientId"], machine["ClientSecret"])
    form = {"grant_type": "client_credentials", "scope": f"{API}/read"}
    # The first makes the pool's signing keys (a configuration change); the second reads what is kept after it.
    for _ in range(2):
        assert app_server.test_client.post("/oauth2/token", data=form, auth=credentials).status_code == 200
    engine = app_server.runtime.store.engine
    with captured_sql(engine) as statements:
        granted = app_server.test_client.post("/oauth2/token", data=form, auth=credentials)
    assert granted.status_code == 200, granted.text
    assert _transactions(statements) == ["BEGIN"]
    # The server's own URL names no domain, which the configuration cache keeps as such.
    assert not [s.sql for s in statements if "domains" in s.sql]
    with captured_sql(engine) as statements:
        idp.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"])
    assert _transactions(statements) == ["BEGIN"]


def test_srp_sign_in__client_and_user_read_together(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "alice")
    srp = AWSSRP("alice", PASSWORD, pool_id, client["ClientId"], client=idp)
    srp.authenticate_user()  # the signing keys exist and are parsed now
    engine = app_server.runtime.store.engine
    auth_params = srp.get_auth_params()
    with captured_sql(engine) as step1:
        challenge: dict[str, Any] = idp.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params
        )
    responses = srp.process_challenge(challenge["ChallengeParameters"], auth_params)
    with captured_sql(engine) as step2:
        answer = idp.respond_to_auth_challenge(
            ClientId=client["ClientId"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )
    assert "AccessToken" in answer["AuthenticationResult"]
    # Client and user; the challenge written.
    assert _transactions(step1) == ["BEGIN", "BEGIN IMMEDIATE"]
    # Client and user; the attempt counted; the challenge used up; the sign-in recorded.
    assert _transactions(step2) == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]
