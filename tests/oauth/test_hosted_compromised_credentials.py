"""Compromised-credentials detection on the hosted pages (Cognito developer guide: 'Working with
compromised-credentials detection'): in a pool whose threat protection is ENFORCED and blocks, the sign-up,
password-reset and new-password pages show Cognito's refusal of a password from the corpus, and a sign-in with
one leaves the user RESET_REQUIRED; pages driven over HTTP, codes read from a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import CALLBACK, MovableClock, oauth_client
from tests.support import hosted
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.mail import Inbox, smtp_inbox
from tests.support.pwned import write_corpus
from userpool.app import Runtime, build_runtime, create_app

LEAKED = "Leaked-Passw0rd!"
CLEAN = "Unlisted-Passw0rd-7q!"
BLOCKED = "Provided password cannot be used for security reasons."


@dataclass
class Served:
    url: str
    idp: Any
    runtime: Runtime
    mail: Inbox


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    corpus = write_corpus(tmp_path / "pwned.bin", [LEAKED], others=1000)
    with smtp_inbox() as (inbox, smtp_port):
        settings = make_settings(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'userpool.sqlite3'}",
            port=port,
            public_url=url,
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
            breached_passwords_path=str(corpus),
        )
        runtime = build_runtime(settings, MovableClock())
        with serve_in_thread(create_app(settings, runtime=runtime), sock):
            yield Served(url, socket_client(url, ACCESS_KEY, SECRET_KEY), runtime, inbox)
        runtime.store.dispose()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _client(served: Served) -> tuple[str, str]:
    """An ENFORCED pool that blocks compromised credentials at every event, and its hosted-UI client."""
    idp = served.idp
    pool_id = idp.create_user_pool(
        PoolName="Acme", AutoVerifiedAttributes=["email"], UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"}
    )["UserPool"]["Id"]
    idp.set_risk_configuration(
        UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "BLOCK"}}
    )
    return pool_id, str(oauth_client(idp, pool_id)["ClientId"])


def _page(served: Served, http: httpx.Client, client_id: str, path: str = "/login") -> httpx.Response:
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid"}
    answer = http.get(f"{served.url}/oauth2/authorize?{urlencode(query)}")
    assert answer.status_code == 302, answer.text
    page = http.get(urljoin(served.url, answer.headers["location"].replace("/login?", f"{path}?", 1)))
    assert page.status_code == 200, page.text
    return page


def _user(served: Served, pool_id: str, username: str, password: str | None = None) -> None:
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}]
    temporary = {} if password else {"TemporaryPassword": "Temp-Passw0rd!"}
    served.idp.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=attributes, **temporary
    )
    if password:
        served.idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def test_hosted_sign_up__a_compromised_password_is_refused_with_cognito_s_message(
    served: Served, http: httpx.Client
) -> None:
    pool_id, client_id = _client(served)
    page = _page(served, http, client_id, "/signup")
    values = {"username": "ann", "password": LEAKED, "userAttributes.email": "ann@example.com"}

    refused = hosted.submit(http, page, values)

    assert refused.status_code == 400 and BLOCKED in refused.text
    assert served.idp.list_users(UserPoolId=pool_id)["Users"] == []
    accepted = hosted.submit(http, refused, {**values, "password": CLEAN})
    assert accepted.status_code == 302 and "/confirm?" in accepted.headers["location"]


def test_hosted_reset__a_compromised_password_is_refused_and_the_code_still_works(
    served: Served, http: httpx.Client
) -> None:
    pool_id, client_id = _client(served)
    _user(served, pool_id, "bea", CLEAN)
    sent = hosted.submit(http, _page(served, http, client_id, "/forgotPassword"), {"username": "bea"})
    assert sent.status_code == 302, sent.text
    page = http.get(urljoin(served.url, sent.headers["location"]))
    code = served.mail.next(served).code

    refused = hosted.submit(http, page, {"code": code, "password": LEAKED, "confirm_password": LEAKED})

    assert refused.status_code == 400 and BLOCKED in refused.text
    done = hosted.submit(
        http, refused, {"code": code, "password": "Reset-Unlisted-1!", "confirm_password": "Reset-Unlisted-1!"}
    )
    assert done.status_code == 302 and "notice=password_reset" in done.headers["location"]


def test_hosted_new_password__a_compromised_password_is_refused(served: Served, http: httpx.Client) -> None:
    pool_id, client_id = _client(served)
    _user(served, pool_id, "cid")
    challenge = hosted.submit(http, _page(served, http, client_id), {"username": "cid", "password": "Temp-Passw0rd!"})
    assert challenge.status_code == 200 and 'name="new_password"' in challenge.text, challenge.text

    refused = hosted.submit(http, challenge, {"new_password": LEAKED, "confirm_password": LEAKED})

    assert refused.status_code == 400 and BLOCKED in refused.text, refused.text
    done = hosted.submit(http, refused, {"new_password": CLEAN, "confirm_password": CLEAN})
    assert hosted.callback_params(done, CALLBACK)["code"]


def test_hosted_login__a_compromised_password_leaves_the_user_to_reset_it(served: Served, http: httpx.Client) -> None:
    pool_id, client_id = _client(served)
    _user(served, pool_id, "dan", LEAKED)

    refused = hosted.submit(http, _page(served, http, client_id), {"username": "dan", "password": LEAKED})

    assert refused.status_code == 400 and "Password reset required for the user" in refused.text
    assert served.idp.admin_get_user(UserPoolId=pool_id, Username="dan")["UserStatus"] == "RESET_REQUIRED"
