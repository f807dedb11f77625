"""Session management (Cognito developer guide: 'Managing user sessions'): Get/SetUserPoolSessionConfiguration,
Get/SetUserPoolClientSessionConfiguration, ListUserSessions, RevokeUserSession, AdminListUserSessions,
AdminRevokeUserSession, and RevokeToken's RevokeAssociatedSessions. Token sessions come from InitiateAuth and from
the hosted sign-in's code grants, SSO sessions from the hosted sign-in's cookie."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import PASSWORD, make_client, make_user, sign_in
from tests.support.bridge import in_process_client
from tests.support.errors import fails
from tests.support.geoip import write_city_database
from tests.support.hosted import callback_params, code_flow_tokens, in_process_browser
from userpool.clock import FixedClock

CALLBACK = "https://app.example.com/cb"
SIGN_IN = "aws.cognito.signin.user.admin"
SCOPES = f"openid {SIGN_IN}"
SESSION_ID = re.compile(r"(tkn|sso)[a-z0-9]{25}")
REFRESH_REVOKED = ("NotAuthorizedException", "Refresh Token has been revoked")
ACCESS_REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


def _track(idp: Any, pool_id: str, max_per_user: int = 20) -> None:
    idp.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user}
    )


def _answer(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def _refresh(idp: Any, client: dict[str, Any], token: str) -> Any:
    return idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": token}
    )


def _sessions(idp: Any, pool_id: str, username: str = "ann") -> list[dict[str, Any]]:
    return list(idp.admin_list_user_sessions(UserPoolId=pool_id, Username=username)["Sessions"])


def _web_client(idp: Any, pool_id: str) -> dict[str, Any]:
    return make_client(
        idp,
        pool_id,
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "aws.cognito.signin.user.admin"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )


def _authorize(browser: Any, client: dict[str, Any]) -> Any:
    query = urlencode({"client_id": client["ClientId"], "response_type": "code", "redirect_uri": CALLBACK})
    return browser.get(f"http://localhost/oauth2/authorize?{query}&scope=openid+{SIGN_IN}")


def _redeem(browser: Any, client: dict[str, Any], code: str) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    answer = browser.post("/oauth2/token", data=form, auth=(client["ClientId"], client["ClientSecret"]))
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def test_get_user_pool_session_configuration__defaults_set_and_kept(idp: Any, pool_id: str) -> None:
    assert _answer(idp.get_user_pool_session_configuration(UserPoolId=pool_id)) == {
        "UserPoolId": pool_id,
        "UserSessionTracking": "DISABLED",
        "TokenSession": {"MaxPerUser": 20},
    }
    answer = idp.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 5}
    )
    expected = {"UserPoolId": pool_id, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 5}}
    assert _answer(answer) == expected
    # No member of UserPoolType, and kept by UpdateUserPool.
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert not {"UserSessionConfiguration", "UserSessionTracking", "TokenSession"} & set(pool)
    idp.update_user_pool(UserPoolId=pool_id)
    assert _answer(idp.get_user_pool_session_configuration(UserPoolId=pool_id)) == expected


def test_set_user_pool_session_configuration__errors(idp: Any, pool_id: str) -> None:
    # On any feature plan here (AWS asks for Essentials or Plus).
    lite = idp.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    _track(idp, lite)
    assert idp.get_user_pool_session_configuration(UserPoolId=lite)["UserSessionTracking"] == "ENABLED"
    assert fails(
        idp.set_user_pool_session_configuration,
        UserPoolId=pool_id,
        UserSessionTracking="ENABLED",
        TokenSession={"MaxPerUser": 101},
    ) == (
        "InvalidParameterException",
        "1 validation error detected: Value '101' at 'tokenSession.maxPerUser' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )
    for call in (idp.get_user_pool_session_configuration, idp.get_user_pool_client_session_configuration):
        kwargs = {"UserPoolId": "us-east-1_nothere"}
        if call == idp.get_user_pool_client_session_configuration:
            kwargs["ClientId"] = "nosuchclient"
        assert fails(call, **kwargs) == ("ResourceNotFoundException", "User pool us-east-1_nothere does not exist.")


def test_set_user_pool_client_session_configuration__needs_tracking(idp: Any, pool_id: str) -> None:
    client_id = make_client(idp, pool_id)["ClientId"]
    default = {"UserPoolId": pool_id, "ClientId": client_id, "SSOSession": {"MaxValidityMinutes": 60}}
    assert _answer(idp.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)) == default
    request = {"UserPoolId": pool_id, "ClientId": client_id, "SSOSession": {"MaxValidityMinutes": 0}}
    assert fails(idp.set_user_pool_client_session_configuration, **request) == (
        "OperationNotEnabledException",
        f"Session tracking is not enabled for user pool {pool_id}.",
    )
    _track(idp, pool_id)
    assert _answer(idp.set_user_pool_client_session_configuration(**request)) == {
        **default,
        "SSOSession": {"MaxValidityMinutes": 0},
    }
    assert idp.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)["SSOSession"] == {
        "MaxValidityMinutes": 0
    }
    assert fails(idp.set_user_pool_client_session_configuration, **{**request, "ClientId": "nosuchclient"}) == (
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    )
    # Kept, dormant, while tracking is off; forgotten with the client.
    idp.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 20}
    )
    assert idp.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)["SSOSession"] == {
        "MaxValidityMinutes": 0
    }
    idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert fails(idp.get_user_pool_client_session_configuration, UserPoolId=pool_id, ClientId=client_id)[0] == (
        "ResourceNotFoundException"
    )


def test_list_user_sessions__a_user_revokes_another_of_its_sessions(idp: Any, pool_id: str) -> None:
    _track(idp, pool_id)
    phone, laptop = make_client(idp, pool_id), make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    first, second = sign_in(idp, phone, "ann"), sign_in(idp, laptop, "ann")

    answer = idp.list_user_sessions(AccessToken=first["AccessToken"])
    assert "NextToken" not in answer
    sessions = answer["Sessions"]
    assert [s["ClientId"] for s in sessions] == [phone["ClientId"], laptop["ClientId"]]
    for session in sessions:
        assert set(session) == {
            "SessionId",
            "SessionType",
            "ClientId",
            "CreateDate",
            "LastActiveDate",
            "DeviceType",
            "IsCurrentSession",
        }
        assert SESSION_ID.fullmatch(session["SessionId"]) and session["SessionId"].startswith("tkn")
        assert session["SessionType"] == "TOKEN"
        assert session["LastActiveDate"] == session["CreateDate"]
        # boto3's User-Agent: the AWS SDK's own os/ token names the system.
        assert re.fullmatch(r"Boto3 on \w+", session["DeviceType"])
    assert [s["IsCurrentSession"] for s in sessions] == [True, False]
    assert [s["IsCurrentSession"] for s in idp.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]] == [
        False,
        True,
    ]

    answer = idp.revoke_user_session(AccessToken=first["AccessToken"], SessionId=sessions[1]["SessionId"])
    assert _answer(answer) == {}
    assert fails(_refresh, idp=idp, client=laptop, token=second["RefreshToken"]) == REFRESH_REVOKED
    assert fails(idp.get_user, AccessToken=second["AccessToken"]) == ACCESS_REVOKED
    # The user's other session goes on working.
    assert "AccessToken" in _refresh(idp, phone, first["RefreshToken"])["AuthenticationResult"]
    assert idp.get_user(AccessToken=first["AccessToken"])["Username"] == "ann"
    assert [s["SessionId"] for s in idp.list_user_sessions(AccessToken=first["AccessToken"])["Sessions"]] == [
        sessions[0]["SessionId"]
    ]


def test_revoke_user_session__errors(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    tokens = sign_in(idp, client, "ann")
    assert fails(idp.list_user_sessions, AccessToken=tokens["AccessToken"]) == (
        "OperationNotEnabledException",
        f"Session tracking is not enabled for user pool {pool_id}.",
    )
    assert fails(idp.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId="tkn" + "0" * 25)[0] == (
        "OperationNotEnabledException"
    )
    _track(idp, pool_id)
    mine = idp.list_user_sessions(AccessToken=tokens["AccessToken"])["Sessions"][0]["SessionId"]
    assert fails(idp.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId=mine) == (
        "InvalidParameterException",
        "The session that the access token belongs to can't be revoked with it.",
    )
    bobs = sign_in(idp, client, "bob")
    theirs = idp.list_user_sessions(AccessToken=bobs["AccessToken"])["Sessions"][0]["SessionId"]
    for unknown in (theirs, "tkn" + "0" * 25, "sso" + "a" * 25, "tkn" + "z" * 25):
        assert fails(idp.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId=unknown) == (
            "ResourceNotFoundException",
            f"Session {unknown} does not exist.",
        )
    malformed = "session-" + "x" * 20  # botocore checks the length; the pattern is the server's to check
    assert fails(idp.revoke_user_session, AccessToken=tokens["AccessToken"], SessionId=malformed) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{malformed}' at 'sessionId' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: ^(tkn|sso)[a-z0-9]{25}$",
    )
    assert fails(idp.list_user_sessions, AccessToken="not-a-token") == (
        "NotAuthorizedException",
        "Invalid Access Token",
    )
    # Bob's session is there still.
    assert idp.get_user(AccessToken=bobs["AccessToken"])["Username"] == "bob"


def test_admin_list_user_sessions__and_admin_revoke(idp: Any, pool_id: str) -> None:
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    make_user(idp, pool_id, "bob")
    assert fails(idp.admin_list_user_sessions, UserPoolId=pool_id, Username="ann") == (
        "OperationNotEnabledException",
        f"Session tracking is not enabled for user pool {pool_id}.",
    )
    _track(idp, pool_id)
    kept, gone = sign_in(idp, client, "ann"), sign_in(idp, client, "ann")
    sessions = _sessions(idp, pool_id)
    assert len(sessions) == 2 and not any(s["IsCurrentSession"] for s in sessions)
    target = sessions[1]["SessionId"]
    assert fails(idp.admin_revoke_user_session, UserPoolId=pool_id, Username="bob", SessionId=target) == (
        "ResourceNotFoundException",
        f"Session {target} does not exist.",
    )
    assert fails(idp.admin_revoke_user_session, UserPoolId=pool_id, Username="nobody", SessionId=target) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(idp.admin_list_user_sessions, UserPoolId="us-east-1_nothere", Username="ann") == (
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    )
    answer = idp.admin_revoke_user_session(UserPoolId=pool_id, Username="ann", SessionId=target)
    assert _answer(answer) == {}
    assert fails(_refresh, idp=idp, client=client, token=gone["RefreshToken"]) == REFRESH_REVOKED
    assert "AccessToken" in _refresh(idp, client, kept["RefreshToken"])["AuthenticationResult"]
    sub = idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"][0]["Value"]
    assert [s["SessionId"] for s in _sessions(idp, pool_id, sub)] == [sessions[0]["SessionId"]]
    assert fails(idp.admin_revoke_user_session, UserPoolId=pool_id, Username="ann", SessionId=target)[0] == (
        "ResourceNotFoundException"
    )


def test_admin_list_user_sessions__pages_of_125(idp: Any, pool_id: str) -> None:
    make_user(idp, pool_id, "ann")
    client = make_client(idp, pool_id)
    # Signed in while nothing was tracked, so no MaxPerUser (100 at most) evicted any of them.
    for _ in range(130):
        sign_in(idp, client, "ann")
    _track(idp, pool_id)
    first = idp.admin_list_user_sessions(UserPoolId=pool_id, Username="ann")
    assert len(first["Sessions"]) == 125 and first["NextToken"]
    rest = idp.admin_list_user_sessions(UserPoolId=pool_id, Username="ann", NextToken=first["NextToken"])
    assert len(rest["Sessions"]) == 5 and "NextToken" not in rest
    ids = [s["SessionId"] for s in first["Sessions"] + rest["Sessions"]]
    assert len(set(ids)) == 130
    assert fails(idp.admin_list_user_sessions, UserPoolId=pool_id, Username="ann", NextToken="bogus") == (
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_set_user_pool_session_configuration__max_per_user_evicts_the_least_recently_used(
    clocked: Server, clock: FixedClock
) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    _track(idp, pool_id, max_per_user=2)
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    oldest = sign_in(idp, client, "ann")
    clock.advance(60)
    middle = sign_in(idp, client, "ann")
    clock.advance(60)
    _refresh(idp, client, oldest["RefreshToken"])  # now the oldest is the most recently used
    listed = _sessions(idp, pool_id)
    assert listed[0]["LastActiveDate"] > listed[1]["LastActiveDate"] > listed[0]["CreateDate"]
    clock.advance(60)
    newest = sign_in(idp, client, "ann")
    assert fails(_refresh, idp=idp, client=client, token=middle["RefreshToken"]) == REFRESH_REVOKED
    for kept in (oldest, newest):
        assert "AccessToken" in _refresh(idp, client, kept["RefreshToken"])["AuthenticationResult"]
    assert len(_sessions(idp, pool_id)) == 2
    # Lowering the limit evicts nobody until the next sign-in.
    _track(idp, pool_id, max_per_user=1)
    assert len(_sessions(idp, pool_id)) == 2
    sign_in(idp, client, "ann")
    assert len(_sessions(idp, pool_id)) == 1


def test_list_user_sessions__sso_sessions_and_linked_revocation(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    _track(idp, pool_id)
    web, other = _web_client(idp, pool_id), _web_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    browser = in_process_browser(app_server.test_client.app)
    first = code_flow_tokens(browser, web, CALLBACK, "ann", PASSWORD, SCOPES)
    # The same browser, another application: the hosted session signs the user in without asking.
    silent = _authorize(browser, other)
    second = _redeem(browser, other, callback_params(silent, CALLBACK)["code"])

    sessions = idp.list_user_sessions(AccessToken=first["access_token"])["Sessions"]
    by_type = {t: [s for s in sessions if s["SessionType"] == t] for t in ("SSO", "TOKEN")}
    assert len(by_type["SSO"]) == 1 and len(by_type["TOKEN"]) == 2
    sso = by_type["SSO"][0]
    assert sso["SessionId"].startswith("sso") and sso["ClientId"] == web["ClientId"] and "OriginSessionId" not in sso
    # Its latest activity: the token grant of the second application's code.
    assert sso["LastActiveDate"] == by_type["TOKEN"][1]["CreateDate"] > sso["CreateDate"]
    assert [s["OriginSessionId"] for s in by_type["TOKEN"]] == [sso["SessionId"]] * 2
    assert [s["ClientId"] for s in by_type["TOKEN"]] == [web["ClientId"], other["ClientId"]]
    assert [s["IsCurrentSession"] for s in by_type["TOKEN"]] == [True, False]
    # A refresh of a token session is activity of the SSO session it came through, too.
    refreshed = browser.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(web["ClientId"], web["ClientSecret"]),
    )
    assert refreshed.status_code == 200, refreshed.text
    after = idp.list_user_sessions(AccessToken=first["access_token"])["Sessions"]
    active = {s["SessionId"]: s["LastActiveDate"] for s in after}
    assert active[sso["SessionId"]] == active[by_type["TOKEN"][0]["SessionId"]] > sso["LastActiveDate"]

    # RevokeToken LINKED: the parent SSO session ends with the token session, the sibling stays.
    idp.revoke_token(
        ClientId=other["ClientId"],
        ClientSecret=other["ClientSecret"],
        Token=second["refresh_token"],
        RevokeAssociatedSessions="LINKED",
    )
    remaining = idp.list_user_sessions(AccessToken=first["access_token"])["Sessions"]
    assert [(s["SessionType"], s["ClientId"]) for s in remaining] == [("TOKEN", web["ClientId"])]
    assert _authorize(browser, web).headers["location"].startswith("/login?")


def test_admin_revoke_user_session__sso_session_linked_to_its_token_sessions(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    _track(idp, pool_id)
    web = _web_client(idp, pool_id)
    api_client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    browser = in_process_browser(app_server.test_client.app)
    code_flow_tokens(browser, web, CALLBACK, "ann", PASSWORD, SCOPES)
    api = sign_in(idp, api_client, "ann")
    sso = next(s for s in _sessions(idp, pool_id) if s["SessionType"] == "SSO")
    # Without LINKED only the SSO session ends: the browser is asked again, the application's tokens go on.
    idp.admin_revoke_user_session(UserPoolId=pool_id, Username="ann", SessionId=sso["SessionId"])
    assert _authorize(browser, web).headers["location"].startswith("/login?")
    assert len(_sessions(idp, pool_id)) == 2
    # A new hosted sign-in, revoked LINKED: its code grant's token session goes too, the API sign-in stays.
    hosted = code_flow_tokens(browser, web, CALLBACK, "ann", PASSWORD, SCOPES)
    second = next(s for s in _sessions(idp, pool_id) if s["SessionType"] == "SSO")
    idp.admin_revoke_user_session(
        UserPoolId=pool_id, Username="ann", SessionId=second["SessionId"], RevokeAssociatedSessions="LINKED"
    )
    refused = browser.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": hosted["refresh_token"]},
        auth=(web["ClientId"], web["ClientSecret"]),
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    left = _sessions(idp, pool_id)
    assert [(s["SessionType"], s.get("OriginSessionId")) for s in left] == [
        ("TOKEN", sso["SessionId"]),
        ("TOKEN", None),
    ]
    assert idp.get_user(AccessToken=api["AccessToken"])["Username"] == "ann"


def test_set_user_pool_client_session_configuration__limits_silent_reuse(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    web, strict = _web_client(idp, pool_id), _web_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    browser = in_process_browser(clocked.test_client.app)
    code_flow_tokens(browser, web, CALLBACK, "ann", PASSWORD, SCOPES)
    # Without tracking, every client reuses the hosted session for its hour.
    assert _authorize(browser, strict).headers["location"].startswith(CALLBACK)
    _track(idp, pool_id)
    idp.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=strict["ClientId"], SSOSession={"MaxValidityMinutes": 0}
    )
    idp.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=web["ClientId"], SSOSession={"MaxValidityMinutes": 10}
    )
    assert _authorize(browser, strict).headers["location"].startswith("/login?")
    assert _authorize(browser, web).headers["location"].startswith(CALLBACK)
    clock.advance(11 * 60)
    assert _authorize(browser, web).headers["location"].startswith("/login?")


def test_list_user_sessions__address_and_place(tmp_path: Path, database_url: str) -> None:
    database = write_city_database(tmp_path / "cities.mmdb")
    settings = make_settings(tmp_path / "data", database_url, geoip_database=str(database))
    with running_server(settings) as server:
        admin = server.client()
        pool_id = admin.create_user_pool(PoolName="p")["UserPool"]["Id"]
        _track(admin, pool_id)
        client = make_client(admin, pool_id)
        make_user(admin, pool_id, "ann")
        # A caller at 192.0.2.10 (Berlin in the test database), with a browser's User-Agent.
        berlin = TestClient(server.test_client.app, client=("192.0.2.10", 50_000))
        browser = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
        caller = in_process_client(berlin, "AKIDUNUSED0000000000", "x" * 40, user_agent=browser)
        tokens = sign_in(caller, client, "ann")
        session = caller.list_user_sessions(AccessToken=tokens["AccessToken"])["Sessions"][0]
        assert session["LastIPAddress"] == "192.0.2.10"
        assert session["LastLocation"] == {"City": "Berlin", "Country": "Germany"}
        assert session["DeviceType"] == "Chrome 120 on Windows"


@pytest.mark.parametrize("tracking", ["ENABLED", "DISABLED"])
def test_revoke_token__revoke_associated_sessions_only_where_tracked(
    app_server: Server, pool_id: str, tracking: str
) -> None:
    idp = app_server.client()
    web = _web_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    idp.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking=tracking, TokenSession={"MaxPerUser": 20}
    )
    browser = in_process_browser(app_server.test_client.app)
    tokens = code_flow_tokens(browser, web, CALLBACK, "ann", PASSWORD, SCOPES)
    idp.revoke_token(
        ClientId=web["ClientId"],
        ClientSecret=web["ClientSecret"],
        Token=tokens["refresh_token"],
        RevokeAssociatedSessions="LINKED",
    )
    location = _authorize(browser, web).headers["location"]
    # Tracked: the hosted session it came through ended with it. Untracked: LINKED has no effect.
    assert location.startswith("/login?") == (tracking == "ENABLED")
