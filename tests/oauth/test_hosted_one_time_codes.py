"""Sign-in with a one-time code on the hosted pages (choice-based sign-in, USER_AUTH with EMAIL_OTP and SMS_OTP;
Cognito developer guide: 'User pool managed login', 'Authentication flows'): the login page's buttons, the
code page, the choice among the AvailableChallenges; codes read from a real SMTP server and an SMS gateway."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import CALLBACK, PASSWORD, MovableClock, oauth_client
from tests.support import hosted
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.mail import Inbox, smtp_inbox
from tests.support.sms import SmsGateway, sms_gateway
from userpool.app import Runtime, build_runtime, create_app

FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
PHONE = "+14325551212"
# Managed login offers choice-based sign-in to clients that allow USER_AUTH.
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class CodeServer:
    url: str
    idp: Any
    runtime: Runtime
    mail: Inbox
    sms: SmsGateway


@pytest.fixture
def code_server(tmp_path: Path) -> Iterator[CodeServer]:
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    with smtp_inbox() as (inbox, smtp_port), sms_gateway() as sms:
        settings = make_settings(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
            port=port,
            public_url=url,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            sms_webhook_url=sms.url,
        )
        runtime = build_runtime(settings, MovableClock())
        with serve_in_thread(create_app(settings, runtime=runtime), sock):
            yield CodeServer(url, socket_client(url, ACCESS_KEY, SECRET_KEY), runtime, inbox, sms)
        runtime.store.dispose()


def _client(
    server: CodeServer, factors: list[str] | None = FACTORS, phone: bool = True, flows: list[str] = FLOWS
) -> str:
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors}} if factors else {}
    pool_id = server.idp.create_user_pool(PoolName="Acme", Policies=policies)["UserPool"]["Id"]
    attributes = [{"Name": "email", "Value": "ann@example.com"}, {"Name": "email_verified", "Value": "true"}]
    if phone:
        attributes += [{"Name": "phone_number", "Value": PHONE}, {"Name": "phone_number_verified", "Value": "true"}]
    server.idp.admin_create_user(
        UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS", UserAttributes=attributes
    )
    server.idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    return str(oauth_client(server.idp, pool_id, ExplicitAuthFlows=flows)["ClientId"])


def _login_page(server: CodeServer, http: httpx.Client, client_id: str) -> httpx.Response:
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "s1",
    }
    answer = http.get(f"{server.url}/oauth2/authorize?{urlencode(query)}")
    assert answer.status_code == 302, answer.text
    page = http.get(urljoin(server.url, answer.headers["location"]))
    assert page.status_code == 200, page.text
    return page


def _choose(http: httpx.Client, login: httpx.Response, factor: str, username: str = "ann") -> httpx.Response:
    """The login form sent with one of its passwordless buttons (its formaction, /login/choose)."""
    form = hosted.forms_of(login.text)[0]
    action = urljoin(str(login.url), form.action.replace("/login?", "/login/choose?"))
    return http.post(action, data={**form.fields, "username": username, "password": "", "factor": factor})


def test_hosted_email_otp__code_from_the_mail_signs_in(code_server: CodeServer, http: httpx.Client) -> None:
    client_id = _client(code_server)
    login = _login_page(code_server, http, client_id)
    assert "Email me a sign-in code" in login.text and "Text me a sign-in code" in login.text
    page = _choose(http, login, "EMAIL_OTP")
    assert page.status_code == 200 and "Enter the code we sent to" in page.text, page.text
    code = code_server.mail.next(code_server).code
    wrong = hosted.submit(http, page, {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text
    done = hosted.submit(http, wrong, {"code": code})
    params = hosted.callback_params(done, CALLBACK)
    assert params["state"] == "s1" and params["code"]


def test_hosted_sms_otp__code_from_the_gateway_signs_in(code_server: CodeServer, http: httpx.Client) -> None:
    client_id = _client(code_server)
    page = _choose(http, _login_page(code_server, http, client_id), "SMS_OTP")
    assert page.status_code == 200 and "+*******1212" in page.text, page.text
    done = hosted.submit(http, page, {"code": code_server.sms.next_code(code_server)})
    assert hosted.callback_params(done, CALLBACK)["code"]
    assert code_server.sms.received[0]["to"] == PHONE


def test_hosted_one_time_code__unavailable_factor_offers_the_choice(
    code_server: CodeServer, http: httpx.Client
) -> None:
    """A user without a phone number who asks for a text gets the page to choose among its factors."""
    client_id = _client(code_server, phone=False)
    choice = _choose(http, _login_page(code_server, http, client_id), "SMS_OTP")
    assert choice.status_code == 200 and "How do you want to sign in?" in choice.text, choice.text
    assert 'value="EMAIL_OTP"' in choice.text and 'value="SMS_OTP"' not in choice.text
    assert 'value="PASSWORD"' not in choice.text
    page = hosted.submit(http, choice, {"answer": "EMAIL_OTP"})
    assert page.status_code == 200 and "Enter the code we sent to" in page.text, page.text
    done = hosted.submit(http, page, {"code": code_server.mail.next(code_server).code})
    assert hosted.callback_params(done, CALLBACK)["code"]
    assert code_server.sms.received == []


def test_hosted_one_time_code__not_offered_where_the_pool_allows_only_passwords(
    code_server: CodeServer, http: httpx.Client
) -> None:
    client_id = _client(code_server, factors=None)
    login = _login_page(code_server, http, client_id)
    assert "sign-in code" not in login.text and "passkey" not in login.text
    refused = _choose(http, login, "EMAIL_OTP")
    assert refused.status_code == 400 and "not available for your account" in refused.text
    assert code_server.mail.mails == []


def test_hosted_one_time_code__not_offered_to_a_client_without_user_auth(
    code_server: CodeServer, http: httpx.Client
) -> None:
    client_id = _client(code_server, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    login = _login_page(code_server, http, client_id)
    assert "sign-in code" not in login.text
    refused = _choose(http, login, "EMAIL_OTP")
    assert refused.status_code == 400 and "not available for your account" in refused.text
    assert code_server.mail.mails == []
