"""amazon-cognito-identity-js, unchanged, through a CUSTOM_AUTH sign-in whose challenges the handlers of
tests/triggers/handlers make and judge: ``initiateAuth`` with custom challenges only, and ``authenticateUser``
under the CUSTOM_AUTH flow type, which proves the password with SRP first (SRP_A, then PASSWORD_VERIFIER with
the Session) and then answers the custom challenges with ``sendCustomChallengeAnswer``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.triggers.conftest import TriggerServer, create_pool, events

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Passw0rd!"
CUSTOM_TRIGGERS = {
    "DefineAuthChallenge": "define_auth_challenge",
    "CreateAuthChallenge": "create_auth_challenge",
    "VerifyAuthChallengeResponse": "verify_auth_challenge",
}


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None or not (ROOT / "node_modules" / "amazon-cognito-identity-js" / "package.json").is_file():
        if os.environ.get("CI"):
            pytest.fail("node and the npm packages are needed for the JavaScript SDK tests", pytrace=False)
        pytest.skip("node or amazon-cognito-identity-js is not installed (run `npm ci`)")
    return found


def _run(node: str, request: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [node, str(ROOT / "tests" / "node" / "identity_js_custom_auth.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, f"exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


@pytest.mark.parametrize("with_password", [False, True], ids=["custom-only", "srp-first"])
def test_identity_js__custom_auth(node: str, server: TriggerServer, idp: Any, with_password: bool) -> None:
    pool_id = create_pool(idp, CUSTOM_TRIGGERS)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "nickname", "Value": "Rex"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    request = {
        "endpoint": server.url.rstrip("/") + "/",
        "userPoolId": pool_id,
        "clientId": client_id,
        "username": "alice",
        "password": PASSWORD if with_password else None,
        "clientMetadata": {"steps": "3"},
    }
    answer = _run(node, request)
    assert answer["ok"], answer
    assert answer["shown"] == ["captcha", "question", "confirm"]
    assert answer["idToken"]["cognito:username"] == "alice"
    first = events("define_auth_challenge")[0]["request"]["session"]
    assert first == ([{"challengeName": "SRP_A", "challengeResult": True}] if with_password else [])
    if with_password:
        second = events("define_auth_challenge")[1]["request"]["session"]
        assert second[-1] == {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True}
