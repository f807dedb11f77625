"""Threat protection on the hosted sign-in page, reached over a real socket so that the browser has an
address: the sign-in is assessed from it and recorded like the API's, and an address of the pool's
BlockedIPRangeList is refused in ENFORCED mode (Cognito developer guide: 'Adaptive authentication')."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import CALLBACK, PASSWORD, oauth_client
from tests.support import hosted
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from userpool.app import build_runtime, create_app

pytestmark = pytest.mark.xdist_group("hosted_threat_protection")


@dataclass(frozen=True)
class Live:
    url: str
    idp: Any


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder: Path = tmp_path_factory.mktemp("hosted-threat-protection")
    sock = listening_socket()
    url = f"http://127.0.0.1:{int(sock.getsockname()[1])}"
    port = int(sock.getsockname()[1])
    settings = make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}", public_url=url, port=port)
    runtime = build_runtime(settings)
    with serve_in_thread(create_app(settings, runtime=runtime), sock):
        yield Live(url, socket_client(url, ACCESS_KEY, SECRET_KEY))
    runtime.store.dispose()


def _pool(live: Live, mode: str) -> tuple[str, str]:
    pool_id = live.idp.create_user_pool(PoolName="Acme", UserPoolAddOns={"AdvancedSecurityMode": mode})["UserPool"][
        "Id"
    ]
    live.idp.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    live.idp.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    return pool_id, str(oauth_client(live.idp, pool_id)["ClientId"])


def _authorize_url(live: Live, client_id: str) -> str:
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid"}
    return f"{live.url}/oauth2/authorize?{urlencode(query)}"


def test_hosted_sign_in__recorded_from_the_browser_address_and_user_agent(live: Live) -> None:
    pool_id, client_id = _pool(live, "AUDIT")
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    with httpx.Client(follow_redirects=False, timeout=30, headers={"User-Agent": firefox}) as browser:
        done = hosted.sign_in(browser, _authorize_url(live, client_id), "ann", PASSWORD)
        assert "code" in hosted.callback_params(done, CALLBACK)
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        wrong = hosted.sign_in(browser, _authorize_url(live, client_id), "ann", "Wrong-Password-1!")
        assert wrong.status_code == 400 and "Incorrect username or password." in wrong.text
    failed, passed = live.idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"]
    assert passed["EventResponse"] == "Pass" and failed["EventResponse"] == "Fail"
    # The browser's User-Agent names its device.
    assert passed["EventContextData"] == {"IpAddress": "127.0.0.1", "DeviceName": firefox}
    assert passed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
    assert failed["ChallengeResponses"] == [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}]


def test_hosted_sign_in__blocked_address_refused_when_enforced(live: Live) -> None:
    pool_id, client_id = _pool(live, "ENFORCED")
    live.idp.set_risk_configuration(
        UserPoolId=pool_id, RiskExceptionConfiguration={"BlockedIPRangeList": ["127.0.0.0/8"]}
    )
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        refused = hosted.sign_in(browser, _authorize_url(live, client_id), "ann", PASSWORD)
    assert refused.status_code == 400
    assert "Request not allowed due to security reasons." in refused.text
    (event,) = live.idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"]
    assert event["EventResponse"] == "Fail" and event["EventRisk"]["RiskDecision"] == "Block"
