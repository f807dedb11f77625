"""Whatever arrives at the pool-domain endpoints and pages, the answer is never a server error."""

from __future__ import annotations

import httpx

from tests.oauth.conftest import CALLBACK, OAuthServer, oauth_client
from tests.support import hosted


def test_pool_domain__malformed_requests_never_give_a_server_error(
    oauth_server: OAuthServer, pool_id: str, http: httpx.Client
) -> None:
    client = oauth_client(oauth_server.idp, pool_id)
    good = f"client_id={client['ClientId']}&response_type=code&redirect_uri={CALLBACK}"
    base = oauth_server.url
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    page = http.get(f"{base}/login?{good}")
    csrf = hosted.forms_of(page.text)[0].fields["_csrf"]
    gets = [
        f"/oauth2/authorize?{good}&code_challenge=%ff%fe",
        f"/oauth2/authorize?{good}&scope=%00",
        f"/oauth2/authorize?{good}&state=" + "s" * 5000,
        f"/oauth2/authorize?{good}&prompt=none%20login",
        f"/login?{good}&{good}",
        f"/login?{good}&lang=%ff",
        f"/login?{good}&login_hint=%3Cscript%3E",
        f"/confirm?{good}&username=%00",
        f"/confirmForgotPassword?{good}&username=" + "u" * 500,
        "/error?error=%3Cb%3E",
        "/confirmUser",
        f"/confirmUser?client_id={client['ClientId']}&user_name=%00&confirmation_code=1",
        f"/confirmUser?client_id={client['ClientId']}&user_name=nobody&confirmation_code=1&confirmation_code=2",
        f"/confirmUser?client_id={client['ClientId']}&user_name=nobody&confirmation_code=" + "9" * 3000,
        f"/confirmUser?client_id={client['ClientId']}&user_name=nobody&confirmation_code=123456&lang=%ff",
        "/confirmUser?client_id=%ff%fe&user_name=a&confirmation_code=1",
        "/ui/logo?pool=%00&client=x",
        "/ui/custom.css?pool=" + "p" * 100,
        "/logout?client_id=%00&logout_uri=x",
        "/.well-known/jwks.json",
    ]
    for path in gets:
        answer = http.get(base + path)
        assert answer.status_code < 500, path
    posts = [
        ("/login", b"username=a&password=b", {"content-type": "text/plain"}),
        ("/login", b"\xff\xfe\x00", form_type),
        ("/login", f"_csrf={csrf}&username=%00&password=x".encode(), form_type),
        ("/login", f"_csrf={csrf}&username={'u' * 300}&password=x".encode(), form_type),
        ("/challenge", f"_csrf={csrf}&challenge=SMS_MFA&session=x&username=a&parameters=%5B".encode(), form_type),
        ("/challenge", f"_csrf={csrf}&challenge=NOPE&session=x&username=a".encode(), form_type),
        ("/challenge", f"_csrf={csrf}&challenge=SOFTWARE_TOKEN_MFA&session=x&username=a&code=1".encode(), form_type),
        ("/challenge", f"_csrf={csrf}&challenge=NEW_PASSWORD_REQUIRED&session=x&username=a".encode(), form_type),
        ("/signup", f"_csrf={csrf}&username=a".encode(), form_type),
        ("/signup", f"_csrf={csrf}&username=a&password=b&userAttributes.email=".encode() + b"x" * 3000, form_type),
        ("/confirm", f"_csrf={csrf}&username=nobody&code=123456".encode(), form_type),
        ("/resendCode", f"_csrf={csrf}&username=nobody".encode(), form_type),
        ("/forgotPassword", f"_csrf={csrf}&username=nobody".encode(), form_type),
        (
            "/confirmForgotPassword",
            f"_csrf={csrf}&username=nobody&code=1&password=x&confirm_password=x".encode(),
            form_type,
        ),
        ("/oauth2/token", b"grant_type=refresh_token&refresh_token=%00&client_id=x", form_type),
        ("/oauth2/revoke", b"token=x", {**form_type, "authorization": "Basic " + "A" * 5000}),
        ("/oauth2/userInfo", b"", {"authorization": "Bearer " + "a" * 20000}),
    ]
    for path, body, headers in posts:
        answer = http.post(f"{base}{path}?{good}", content=body, headers=headers)
        assert answer.status_code < 500, (path, body[:80])
