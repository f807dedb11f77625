"""The JavaScript SDKs, unchanged, against the server on a loopback socket: amazon-cognito-identity-js (its
``endpoint`` pool option) and Amplify v6 (``Auth.Cognito.userPoolEndpoint``) sign in, read the user's
attributes (GetUser) and refresh (identity-js: InitiateAuth REFRESH_TOKEN_AUTH; Amplify:
GetTokensFromRefreshToken), in plain and email-as-username pools; a secret client refuses them (they send no
SECRET_HASH); identity-js remembers a device and signs in with DEVICE_SRP_AUTH. The drivers live in
tests/node/; their packages come from the repository's package-lock.json (``npm ci``)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
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
SDKS = ["identity_js", "amplify"]
FLOWS = ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"]
SDK_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class Pool:
    endpoint: str
    pool_id: str
    client_id: str
    username: str  # what the user types: the username, or the email in an email-as-username pool
    internal: str  # the user's internal username (cognito:username): the sub in an email-as-username pool


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


def _pool(idp: Any, server_url: str, kind: str, secret: bool = False) -> Pool:
    """A pool of ``kind`` ("username": plain usernames; "email": email as username) with user Ann, and a
    public client (or one with a secret) allowing SRP, USER_PASSWORD_AUTH and refresh."""
    config: dict[str, Any] = {"UsernameAttributes": ["email"]} if kind == "email" else {}
    pool_id = idp.create_user_pool(PoolName="node-sdks", **config)["UserPool"]["Id"]
    client = make_client(idp, pool_id, ExplicitAuthFlows=SDK_FLOWS, GenerateSecret=secret)
    assert ("ClientSecret" in client) is secret
    username = EMAIL if kind == "email" else "ann"
    make_user(idp, pool_id, username, attributes={"email": EMAIL, "email_verified": "true"})
    internal = idp.admin_get_user(UserPoolId=pool_id, Username=username)["Username"]
    assert (internal != EMAIL) if kind == "email" else (internal == "ann")  # the sub, in an email pool
    return Pool(server_url.rstrip("/") + "/", pool_id, client["ClientId"], username, internal)


@pytest.fixture(params=["username-pool", "email-pool"])
def pool(request: pytest.FixtureRequest, live_server: str, live_idp: Any) -> Pool:
    return _pool(live_idp, live_server, str(request.param).removesuffix("-pool"))


def run_sdk(
    node: str, script: str, pool: Pool, flow: str, password: str = PASSWORD, wrong_password: str | None = None
) -> dict[str, Any]:
    """Run tests/node/<script>.mjs with the request on stdin; its answer is the last line of stdout."""
    request = {
        "endpoint": pool.endpoint,
        "userPoolId": pool.pool_id,
        "clientId": pool.client_id,
        "username": pool.username,
        "password": password,
        "wrongPassword": wrong_password,
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


def assert_signed_in_and_refreshed(answer: dict[str, Any], pool: Pool) -> None:
    assert answer["ok"], answer
    claims = answer["idToken"]
    assert claims["cognito:username"] == pool.internal
    assert claims["token_use"] == "id"
    assert answer["accessToken"]["username"] == pool.internal
    assert answer["attributes"]["email"] == EMAIL
    assert answer["attributes"]["sub"] == claims["sub"]
    assert answer["refreshed"] is True
    again = answer["refreshedIdToken"]
    assert again["cognito:username"] == pool.internal and again["sub"] == claims["sub"]
    assert again["jti"] != claims["jti"]


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("sdk", SDKS)
def test_sdk__wrong_password_refused_then_right_one_signs_in_reads_attributes_and_refreshes(
    node: str, pool: Pool, sdk: str, flow: str
) -> None:
    """Each SDK, each flow, a plain and an email-as-username pool (where the user types the email and the
    tokens' ``cognito:username`` is the sub): a mistyped password is refused as Cognito refuses it, the
    right one then signs in."""
    answer = run_sdk(node, sdk, pool, flow, wrong_password="Wrong-Pass-1")
    refused = answer.get("refused")
    assert refused is not None and not refused["ok"], answer
    assert (refused["code"], refused["message"]) == ("NotAuthorizedException", "Incorrect username or password.")
    assert_signed_in_and_refreshed(answer, pool)


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("sdk", SDKS)
def test_sdk__client_with_secret_is_refused_for_the_missing_secret_hash(
    node: str, live_server: str, live_idp: Any, sdk: str, flow: str
) -> None:
    """Neither SDK can compute a SECRET_HASH: with a secret client Cognito refuses even the right password,
    with this message; the SDKs are meant for public clients."""
    pool = _pool(live_idp, live_server, "username", secret=True)
    answer = run_sdk(node, sdk, pool, flow)
    assert not answer["ok"], answer
    assert answer["code"] == "NotAuthorizedException", answer
    assert answer["message"] == f"Client {pool.client_id} is configured for secret but secret was not received"


class Conversation:
    """A driver that pauses for the test: the request goes as the first line on stdin; the driver then
    writes ``{"pause": name, ...}`` lines and waits for a line back; its last line is its answer."""

    def __init__(self, node: str, script: str, request: dict[str, Any]) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [node, str(SCRIPTS / f"{script}.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.send(request)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def receive(self, timeout: float = 60) -> dict[str, Any]:
        """The driver's next JSON line (other output is skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                pytest.fail(f"the driver said nothing for {timeout}s")
            if line is None:
                self.stderr.seek(0)
                pytest.fail(f"the driver exited {self.process.wait()} early:\n{self.stderr.read()}")
            if line.startswith("{"):
                found: dict[str, Any] = json.loads(line)
                return found

    def expect_pause(self, name: str) -> dict[str, Any]:
        message = self.receive()
        assert message.get("pause") == name, message
        return message

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.stderr.close()


def _device_attributes(idp: Any, pool: Pool) -> dict[str, dict[str, str]]:
    """The user's devices as AdminListDevices shows them: key → attributes."""
    devices = idp.admin_list_devices(UserPoolId=pool.pool_id, Username=pool.username)["Devices"]
    return {d["DeviceKey"]: {a["Name"]: a["Value"] for a in d["DeviceAttributes"]} for d in devices}


def run_device_story(node: str, idp: Any, pool: Pool) -> dict[str, Any]:
    """tests/node/identity_js_device.mjs, checking with boto3 at its pauses that the device is listed as
    remembered, then gone once forgotten. Its phases, after these checks."""
    talk = Conversation(
        node,
        "identity_js_device",
        {
            "endpoint": pool.endpoint,
            "userPoolId": pool.pool_id,
            "clientId": pool.client_id,
            "username": pool.username,
            "password": PASSWORD,
        },
    )
    try:
        device_key = talk.expect_pause("remembered")["deviceKey"]
        devices = _device_attributes(idp, pool)
        assert list(devices) == [device_key]
        assert devices[device_key]["dev:device_remembered_status"] == "remembered"
        talk.send({})
        talk.expect_pause("forgotten")
        assert _device_attributes(idp, pool) == {}
        talk.send({})
        answer = talk.receive()
    finally:
        talk.close()
    assert answer["ok"], answer
    phases: dict[str, Any] = answer["phases"]
    assert phases["first"]["deviceKey"] == device_key
    return phases


def _steps(calls: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(operation, flow or challenge, answer: next challenge, "tokens" or error code) of each call."""
    return [(c["operation"], c["step"], c.get("answer") or c.get("error", {}).get("code")) for c in calls]


@pytest.fixture
def device_pool(live_server: str, live_idp: Any) -> Pool:
    """A pool that tracks devices, remembering them when the user says so, with a public client."""
    pool_id = live_idp.create_user_pool(
        PoolName="devices",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
    )["UserPool"]["Id"]
    client = make_client(live_idp, pool_id, ExplicitAuthFlows=SDK_FLOWS)
    make_user(live_idp, pool_id, "ann", attributes={"email": EMAIL, "email_verified": "true"})
    return Pool(live_server.rstrip("/") + "/", pool_id, client["ClientId"], "ann", "ann")


def test_identity_js__remembered_device_signs_in_with_device_srp_and_a_forgotten_one_cannot(
    node: str, live_idp: Any, device_pool: Pool
) -> None:
    phases = run_device_story(node, live_idp, device_pool)

    # A first sign-in hands out a device; the library confirms it and the user is asked to remember it.
    first = phases["first"]
    key = first["deviceKey"]
    assert key.startswith(f"{device_pool.pool_id.split('_')[0]}_")
    assert first["userConfirmationNecessary"] is True
    assert first["accessToken"]["device_key"] == key
    assert first["stored"]["deviceKey"] == key and first["stored"]["deviceGroupKey"]
    assert first["stored"]["randomPasswordKey"]
    assert _steps(first["calls"]) == [
        ("InitiateAuth", "USER_SRP_AUTH", "PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "tokens"),
        ("ConfirmDevice", None, None),
        ("UpdateDeviceStatus", None, None),
    ]
    assert first["calls"][1]["newDeviceKey"] == key
    assert [c["deviceKey"] for c in first["calls"][2:]] == [key, key]

    # Remembered: the next sign-in (a new CognitoUser, same storage) proves the device with its own SRP.
    remembered = phases["remembered"]
    assert _steps(remembered["calls"]) == [
        ("InitiateAuth", "USER_SRP_AUTH", "PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH"),
        ("RespondToAuthChallenge", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "DEVICE_PASSWORD_VERIFIER", "tokens"),
        ("InitiateAuth", "REFRESH_TOKEN_AUTH", "tokens"),
    ]
    assert [c["deviceKey"] for c in remembered["calls"][1:]] == [key] * 4
    assert all(c.get("newDeviceKey") is None for c in remembered["calls"])
    assert remembered["accessToken"]["device_key"] == key
    assert remembered["idToken"]["cognito:username"] == "ann"
    assert remembered["refreshedAccessToken"]["device_key"] == key
    assert remembered["refreshedAccessToken"]["jti"] != remembered["accessToken"]["jti"]
    password = phases["password"]
    assert _steps(password["calls"]) == [
        ("InitiateAuth", "USER_PASSWORD_AUTH", "DEVICE_SRP_AUTH"),
        ("RespondToAuthChallenge", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "DEVICE_PASSWORD_VERIFIER", "tokens"),
    ]
    assert password["accessToken"]["device_key"] == key

    # Forgotten (ForgetDevice through the library, which drops its copy): a device that kept its keys is
    # told the device does not exist, and gets no DEVICE_SRP_AUTH.
    forgotten = phases["forgotten"]
    assert forgotten["afterForget"] == {"deviceKey": None, "randomPasswordKey": None, "deviceGroupKey": None}
    refused = forgotten["password"]
    assert (refused["ok"], refused["code"], refused["message"]) == (
        False,
        "ResourceNotFoundException",
        "Device does not exist.",
    )
    assert _steps(refused["calls"]) == [("InitiateAuth", "USER_PASSWORD_AUTH", "ResourceNotFoundException")]
    assert refused["calls"][0]["deviceKey"] == key
    srp_calls = forgotten["srp"]["calls"]
    assert _steps(srp_calls)[:2] == [
        ("InitiateAuth", "USER_SRP_AUTH", "PASSWORD_VERIFIER"),
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "ResourceNotFoundException"),
    ]
    assert srp_calls[1]["deviceKey"] == key
    assert srp_calls[1]["error"]["message"] == "Device does not exist."
    assert not any(c["step"] in ("DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER") for c in srp_calls)


def test_identity_js__forgotten_device_srp_sign_in_retries_without_it_and_gets_a_new_device(
    node: str, live_idp: Any, device_pool: Pool
) -> None:
    """On "Device does not exist." amazon-cognito-identity-js (like Amplify v6) drops its device keys and
    answers the same PASSWORD_VERIFIER again without DEVICE_KEY: the user signs in as a new device."""
    phases = run_device_story(node, live_idp, device_pool)
    key = phases["first"]["deviceKey"]
    srp = phases["forgotten"]["srp"]
    assert _steps(srp["calls"])[1:3] == [
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "ResourceNotFoundException"),
        ("RespondToAuthChallenge", "PASSWORD_VERIFIER", "tokens"),
    ]
    assert srp["calls"][2]["deviceKey"] is None
    new_key = srp["calls"][2]["newDeviceKey"]
    assert srp["ok"], srp
    assert new_key not in (None, key)
    assert srp["accessToken"]["device_key"] == new_key
    assert srp["deviceKeyNow"] == new_key
