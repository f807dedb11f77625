"""The JavaScript SDKs, unchanged, against the server on a loopback socket: amazon-cognito-identity-js (its
``endpoint`` pool option) and Amplify v6 (``Auth.Cognito.userPoolEndpoint``) sign in, read the user's
attributes (GetUser) and refresh (identity-js: InitiateAuth REFRESH_TOKEN_AUTH; Amplify:
GetTokensFromRefreshToken). The drivers live in tests/node/; their packages come from the repository's
package-lock.json (``npm ci``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.auth import PASSWORD, make_client, make_user

pytestmark = pytest.mark.socket

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tests" / "node"
PACKAGES = ("amazon-cognito-identity-js", "aws-amplify")
EMAIL = "ann@example.com"


@dataclass(frozen=True)
class Pool:
    endpoint: str
    pool_id: str
    client_id: str


@pytest.fixture(scope="module")
def node() -> str:
    """The ``node`` binary, once the npm packages are installed; in CI a missing one fails the run."""
    found = shutil.which("node")
    missing = [p for p in PACKAGES if not (ROOT / "node_modules" / p / "package.json").is_file()]
    problem = (
        "node is not on PATH"
        if found is None
        else f"npm packages missing ({', '.join(missing)}): run `npm ci` at the repository root"
        if missing
        else None
    )
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"JavaScript SDK tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(f"JavaScript SDK tests skipped: {problem}")
    assert found is not None
    return found


@pytest.fixture
def pool(live_server: str, live_idp: Any) -> Pool:
    pool_id = live_idp.create_user_pool(PoolName="node-sdks")["UserPool"]["Id"]
    client = make_client(
        live_idp,
        pool_id,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    assert "ClientSecret" not in client
    make_user(live_idp, pool_id, "ann", attributes={"email": EMAIL, "email_verified": "true"})
    return Pool(endpoint=live_server.rstrip("/") + "/", pool_id=pool_id, client_id=client["ClientId"])


def run_sdk(node: str, script: str, pool: Pool, flow: str, password: str = PASSWORD) -> dict[str, Any]:
    """Run tests/node/<script>.mjs with the request on stdin; its answer is the last line of stdout."""
    request = {
        "endpoint": pool.endpoint,
        "userPoolId": pool.pool_id,
        "clientId": pool.client_id,
        "username": "ann",
        "password": password,
        "flow": flow,
    }
    done = subprocess.run(
        [node, str(SCRIPTS / f"{script}.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, f"{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


def assert_signed_in_and_refreshed(answer: dict[str, Any]) -> None:
    assert answer["ok"], answer
    claims = answer["idToken"]
    assert claims["cognito:username"] == "ann"
    assert claims["token_use"] == "id"
    assert answer["accessToken"]["username"] == "ann"
    assert answer["attributes"]["email"] == EMAIL
    assert answer["attributes"]["sub"] == claims["sub"]
    assert answer["refreshed"] is True
    again = answer["refreshedIdToken"]
    assert again["cognito:username"] == "ann" and again["sub"] == claims["sub"]
    assert again["jti"] != claims["jti"]


def assert_not_authorized(answer: dict[str, Any]) -> None:
    assert not answer["ok"], answer
    assert answer["code"] == "NotAuthorizedException", answer
    assert answer["message"] == "Incorrect username or password."


def test_identity_js__password_auth_signs_in_reads_attributes_and_refreshes(node: str, pool: Pool) -> None:
    assert_signed_in_and_refreshed(run_sdk(node, "identity_js", pool, "USER_PASSWORD_AUTH"))


def test_identity_js__password_auth_wrong_password(node: str, pool: Pool) -> None:
    assert_not_authorized(run_sdk(node, "identity_js", pool, "USER_PASSWORD_AUTH", password="Wrong-Pass-1"))


def test_identity_js__srp_auth_signs_in_reads_attributes_and_refreshes(node: str, pool: Pool) -> None:
    assert_signed_in_and_refreshed(run_sdk(node, "identity_js", pool, "USER_SRP_AUTH"))


def test_identity_js__srp_auth_wrong_password(node: str, pool: Pool) -> None:
    assert_not_authorized(run_sdk(node, "identity_js", pool, "USER_SRP_AUTH", password="Wrong-Pass-1"))


def test_amplify__password_auth_signs_in_reads_attributes_and_refreshes(node: str, pool: Pool) -> None:
    assert_signed_in_and_refreshed(run_sdk(node, "amplify", pool, "USER_PASSWORD_AUTH"))


def test_amplify__password_auth_wrong_password(node: str, pool: Pool) -> None:
    assert_not_authorized(run_sdk(node, "amplify", pool, "USER_PASSWORD_AUTH", password="Wrong-Pass-1"))


def test_amplify__srp_auth_signs_in_reads_attributes_and_refreshes(node: str, pool: Pool) -> None:
    assert_signed_in_and_refreshed(run_sdk(node, "amplify", pool, "USER_SRP_AUTH"))


def test_amplify__srp_auth_wrong_password(node: str, pool: Pool) -> None:
    assert_not_authorized(run_sdk(node, "amplify", pool, "USER_SRP_AUTH", password="Wrong-Pass-1"))
