"""What the OAuth endpoints refuse, and how (Cognito developer guide: 'Authorize endpoint', 'Token endpoint',
'UserInfo endpoint', 'Logout endpoint'; RFC 6749 §4.1.2.1, §5.2):
nothing unverified is ever redirected to; codes are single use, short-lived and bound to client, redirect URI
and PKCE verifier; every form needs its CSRF token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from tests.oauth.conftest import CALLBACK, PASSWORD, SIGNED_OUT, OAuthServer, oauth_client
from tests.support import hosted

VERIFIER = "v" * 43 + "erifier-0123456789"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def _query(client: dict[str, Any], **over: str) -> dict[str, str]:
    return {
        "client_id": client["ClientId"],
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "st",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **over,
    }


def _code(server: OAuthServer, http: httpx.Client, client: dict[str, Any], **over: str) -> str:
    url = str(httpx.URL(f"{server.url}/oauth2/authorize", params=_query(client, **over)))
    return hosted.callback_params(hosted.sign_in(http, url, "alice", PASSWORD), CALLBACK)["code"]


def _redeem(server: OAuthServer, client: dict[str, Any], code: str, **over: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": VERIFIER}
    auth = (client["ClientId"], client["ClientSecret"]) if client.get("ClientSecret") else None
    if auth is None:
        form["client_id"] = client["ClientId"]
    return httpx.post(f"{server.url}/oauth2/token", data={**form, **over}, auth=auth)


def _error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    return str(response.json()["error"])


@pytest.fixture
def client(oauth_server: OAuthServer, pool_id: str) -> dict[str, Any]:
    return oauth_client(oauth_server.idp, pool_id)


def test_authorize__unregistered_redirect_uri_goes_to_the_error_page(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    for uri in ("https://evil.example/steal", CALLBACK + "/", CALLBACK.upper()):
        answer = http.get(f"{oauth_server.url}/oauth2/authorize", params=_query(client, redirect_uri=uri))
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith("/error?error=redirect_mismatch"), location
        assert "evil" not in location
    page = http.get(f"{oauth_server.url}{location}")
    assert page.status_code == 400 and "not registered" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    # The login page refuses it too, without a form to fill in.
    login = http.get(f"{oauth_server.url}/login", params=_query(client, redirect_uri="https://evil.example/"))
    assert login.status_code == 400 and "<form" not in login.text


def test_authorize__unknown_client_goes_to_the_error_page(oauth_server: OAuthServer, http: httpx.Client) -> None:
    query = {"client_id": "nosuchclient0000000000000", "response_type": "code", "redirect_uri": CALLBACK}
    answer = http.get(f"{oauth_server.url}/oauth2/authorize", params=query)
    assert answer.status_code == 302 and answer.headers["location"].startswith("/error?error=invalid_client")
    for bad in ({}, {"client_id": "x\x00y"}, {"client_id": "a" * 5000}):
        assert http.get(f"{oauth_server.url}/oauth2/authorize", params=bad).status_code == 302


def test_authorize__errors_after_the_redirect_uri_is_known_go_back_with_state(
    oauth_server: OAuthServer, pool_id: str, client: dict[str, Any], http: httpx.Client
) -> None:
    cases = {
        "unsupported_response_type": {"response_type": "id_token"},
        "invalid_scope": {"scope": "email"},  # email without openid
        "invalid_request": {"code_challenge_method": "S512"},
    }
    for error, over in cases.items():
        answer = http.get(f"{oauth_server.url}/oauth2/authorize", params=_query(client, **over))
        params = hosted.callback_params(answer, CALLBACK)
        assert (params["error"], params["state"]) == (error, "st")
    # The implicit flow answers in the fragment, errors included (RFC 6749 §4.2.2.1).
    implicit = http.get(f"{oauth_server.url}/oauth2/authorize", params=_query(client, response_type="token"))
    assert implicit.headers["location"].startswith(CALLBACK + "#error=unauthorized_client&")


def test_token__wrong_pkce_verifier_is_invalid_grant_and_uses_the_code_up(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    # RFC 6749 §10.5, RFC 7636 §4.6: whoever tries a code with the wrong verifier may hold a stolen code;
    # it can not be tried again, not even with the right verifier.
    for wrong in ("w" * 50, ""):
        http.cookies.clear()  # signed out: the hosted sign-in form again
        code = _code(oauth_server, http, client)
        assert _error(_redeem(oauth_server, client, code, code_verifier=wrong)) == "invalid_grant"
        assert _error(_redeem(oauth_server, client, code)) == "invalid_grant"


def test_authorize__pkce_other_than_s256_is_invalid_request(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    # Cognito supports S256 only (AWS Developer Guide, "Authorize endpoint": code_challenge_method). A
    # challenge without a method would be "plain" by RFC 7636 §4.3, so it is refused as plain is.
    for over in ({"code_challenge": VERIFIER, "code_challenge_method": "plain"}, {"code_challenge_method": ""}):
        answer = http.get(f"{oauth_server.url}/oauth2/authorize", params=_query(client, **over))
        params = hosted.callback_params(answer, CALLBACK)
        assert (params["error"], params["state"]) == ("invalid_request", "st"), over
        assert "S256" in params["error_description"]
    # No code was issued: the browser never reached the sign-in page.
    assert "/login" not in answer.headers["location"]


def test_token__code_verifier_without_a_challenge_is_invalid_grant(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    code = _code(oauth_server, http, client, code_challenge="", code_challenge_method="")
    assert _error(_redeem(oauth_server, client, code, code_verifier=VERIFIER)) == "invalid_grant"
    assert _error(_redeem(oauth_server, client, code, code_verifier="")) == "invalid_grant"


def test_token__reused_code_is_refused_and_ends_the_first_sign_in(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    code = _code(oauth_server, http, client)
    first = _redeem(oauth_server, client, code)
    assert first.status_code == 200
    assert _error(_redeem(oauth_server, client, code)) == "invalid_grant"
    refresh = {"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]}
    auth = (client["ClientId"], client["ClientSecret"])
    assert _error(httpx.post(f"{oauth_server.url}/oauth2/token", data=refresh, auth=auth)) == "invalid_grant"


def test_token__expired_code_is_invalid_grant(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    code = _code(oauth_server, http, client)
    oauth_server.clock.advance(301)
    assert _error(_redeem(oauth_server, client, code)) == "invalid_grant"


def test_token__code_of_another_client_is_invalid_grant(
    oauth_server: OAuthServer, pool_id: str, client: dict[str, Any], http: httpx.Client
) -> None:
    other = oauth_client(oauth_server.idp, pool_id, ClientName="other")
    code = _code(oauth_server, http, client)
    assert _error(_redeem(oauth_server, other, code)) == "invalid_grant"
    # Another client can not redeem the code, so it can not use it up for the client it was issued to.
    assert _redeem(oauth_server, client, code).status_code == 200


def test_token__wrong_redirect_uri_is_invalid_grant_and_uses_the_code_up(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    # RFC 6749 §4.1.3, §10.5: the redirect_uri must be the authorization request's; a code tried with
    # another one may have been stolen, and is not good for a second try.
    code = _code(oauth_server, http, client)
    assert _error(_redeem(oauth_server, client, code, redirect_uri=SIGNED_OUT)) == "invalid_grant"
    assert _error(_redeem(oauth_server, client, code)) == "invalid_grant"


def test_token__client_authentication(oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client) -> None:
    code = _code(oauth_server, http, client)
    url = f"{oauth_server.url}/oauth2/token"
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": VERIFIER}
    wrong = httpx.post(url, data=form, auth=(client["ClientId"], "wrong-secret"))
    assert _error(wrong, 401) == "invalid_client" and wrong.headers["www-authenticate"].startswith("Basic")
    missing = httpx.post(url, data={**form, "client_id": client["ClientId"]})
    assert _error(missing, 401) == "invalid_client" and "www-authenticate" not in missing.headers
    posted = httpx.post(url, data={**form, "client_id": client["ClientId"], "client_secret": client["ClientSecret"]})
    assert posted.status_code == 200, posted.text


def test_token__malformed_requests_are_invalid_request(oauth_server: OAuthServer, client: dict[str, Any]) -> None:
    url = f"{oauth_server.url}/oauth2/token"
    auth = (client["ClientId"], client["ClientSecret"])
    assert _error(httpx.post(url, data={}, auth=auth)) == "invalid_request"
    assert _error(httpx.post(url, data={"grant_type": "password"}, auth=auth)) == "unsupported_grant_type"
    assert _error(httpx.post(url, json={"grant_type": "authorization_code"}, auth=auth)) == "invalid_request"
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"grant_type=a&grant_type=b", b"\xff\xfe"):
        assert _error(httpx.post(url, content=body, auth=auth, headers=form_type)) == "invalid_request"
    too_large = httpx.post(url, content=b"x" * 70_000, auth=auth, headers=form_type)
    assert _error(too_large, 413) == "invalid_request"
    assert _error(httpx.post(url, data={"grant_type": "authorization_code"}, auth=auth)) == "invalid_request"
    bad_basic = httpx.post(url, data={"grant_type": "client_credentials"}, headers={"authorization": "Basic %%%"})
    assert _error(bad_basic, 401) == "invalid_client"


def test_login__csrf_token_missing_or_wrong_is_refused(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    url = str(httpx.URL(f"{oauth_server.url}/login", params=_query(client)))
    page = http.get(url)
    form = hosted.forms_of(page.text)[0]
    assert form.fields["_csrf"]
    values = {"username": "alice", "password": PASSWORD}
    for token in (None, "", "0" * 64, form.fields["_csrf"][:-1] + "x"):
        data = dict(values) if token is None else {**values, "_csrf": token}
        answer = http.post(url, data=data)
        assert answer.status_code == 403 and "location" not in answer.headers
    # The token of another browser does not work in this one.
    with httpx.Client() as other:
        assert other.post(url, data={**values, "_csrf": form.fields["_csrf"]}).status_code == 403
    assert http.post(url, data={**values, "_csrf": form.fields["_csrf"]}).status_code == 302


@pytest.mark.parametrize("field", ["parameters", "mfa_choices"])
def test_challenge__deeply_nested_json_in_the_form_is_bad_input(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client, field: str
) -> None:
    url = str(httpx.URL(f"{oauth_server.url}/challenge", params=_query(client)))
    login = http.get(str(httpx.URL(f"{oauth_server.url}/login", params=_query(client))))
    nested = "[" * 2000 + "]" * 2000
    form = {
        "_csrf": hosted.forms_of(login.text)[0].fields["_csrf"],
        "challenge": "SELECT_MFA_TYPE",
        "session": "s",
        "username": "alice",
        "answer": "SMS_MFA",
        "parameters": nested if field == "parameters" else '{"MFAS_CAN_CHOOSE": "' + nested + '"}',
    }
    assert http.post(url, data=form).status_code == 400


def test_logout__unregistered_logout_uri_is_the_error_page(
    oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client
) -> None:
    url = f"{oauth_server.url}/logout"
    for params in (
        {"client_id": client["ClientId"], "logout_uri": "https://evil.example/"},
        {"client_id": client["ClientId"], "logout_uri": SIGNED_OUT + "x"},
        {"client_id": "unknownclient", "logout_uri": SIGNED_OUT},
        {"client_id": client["ClientId"]},
        {"client_id": client["ClientId"], "redirect_uri": "https://evil.example/", "response_type": "code"},
    ):
        answer = http.get(url, params=params)
        assert answer.status_code == 302 and answer.headers["location"].startswith("/error?"), params
    relogin = http.get(url, params={"client_id": client["ClientId"], "redirect_uri": CALLBACK, "response_type": "code"})
    assert relogin.status_code == 302 and relogin.headers["location"].startswith("/login?")


def test_userinfo__refuses_missing_api_and_forged_tokens(oauth_server: OAuthServer, pool_id: str) -> None:
    url = f"{oauth_server.url}/oauth2/userInfo"
    missing = httpx.get(url)
    assert missing.status_code == 400 and 'error="invalid_request"' in missing.headers["www-authenticate"]
    api_client = oauth_server.idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="api", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]
    tokens = oauth_server.idp.initiate_auth(
        ClientId=api_client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    for token in (tokens["AccessToken"], tokens["IdToken"], "not-a-jwt", "a.b.c"):
        refused = httpx.get(url, headers={"authorization": f"Bearer {token}"})
        assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]


def test_userinfo__on_a_pool_domain_refuses_tokens_of_other_pools(
    oauth_server: OAuthServer, pool_id: str, client: dict[str, Any], http: httpx.Client
) -> None:
    idp = oauth_server.idp
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="acme")
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=other, Domain="other")
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    idp.create_user_pool_domain(
        UserPoolId=other, Domain="login.other.test", CustomDomainConfig={"CertificateArn": cert}
    )
    token = _redeem(oauth_server, client, _code(oauth_server, http, client)).json()["access_token"]
    port = oauth_server.url.rsplit(":", 1)[1]
    url = f"{oauth_server.url}/oauth2/userInfo"
    bearer = {"authorization": f"Bearer {token}"}
    # The pool's own domain, and the server's plain URL, answer for the pool's token.
    for host in (f"acme.127.0.0.1:{port}", f"127.0.0.1:{port}"):
        answer = httpx.get(url, headers={**bearer, "host": host})
        assert answer.status_code == 200 and answer.json()["username"] == "alice", host
    # Another pool's domain, by prefix or custom name, answers as for an invalid token.
    for host in (f"other.127.0.0.1:{port}", "login.other.test"):
        refused = httpx.get(url, headers={**bearer, "host": host})
        assert refused.status_code == 401, host
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]
        assert refused.json()["error"] == "invalid_token"


def test_revoke__errors(oauth_server: OAuthServer, client: dict[str, Any], http: httpx.Client) -> None:
    url = f"{oauth_server.url}/oauth2/revoke"
    auth = (client["ClientId"], client["ClientSecret"])
    assert httpx.post(url, data={"token": "unknown-token"}, auth=auth).status_code == 200
    assert _error(httpx.post(url, data={}, auth=auth)) == "invalid_request"
    assert _error(httpx.post(url, data={"token": "x"}, auth=(client["ClientId"], "bad")), 401) == "invalid_client"
    access_token = _redeem(oauth_server, client, _code(oauth_server, http, client)).json()["access_token"]
    assert _error(httpx.post(url, data={"token": access_token}, auth=auth)) == "unsupported_token_type"
