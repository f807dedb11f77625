"""`userpool serve` as a user starts it: the printed URL and credentials are all a boto3 script needs."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.bridge import free_port

# The tests of ``served`` below on one pytest-xdist worker, so that it starts once, not once per worker.
SHARES_SERVED = pytest.mark.xdist_group("served")


def _start(data_dir: Path, port: int, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "userpool", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**clean, **(env or {})},
        umask=0o022,  # the usual one: files are private because the server makes them so, not by luck
    )
    assert proc.stdout is not None
    banner = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        banner += line
        if "Uvicorn running" in line or "Application startup complete" in line:
            # With several workers the parent binds the socket; the workers start listening a moment later.
            while time.monotonic() < deadline and proc.poll() is None:
                if _healthy(port):
                    return proc, banner
                time.sleep(0.1)
            break
    proc.kill()
    _stop(proc)
    raise AssertionError(f"server did not start:\n{banner}")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=20)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path, int]]:
    """One server for the tests that only use it as started (each writes a pool of its own): a start is a
    process per CPU and the migrations."""
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    proc, banner = _start(tmp_path / "data", port)
    try:
        yield banner, f"http://localhost:{port}", tmp_path / "data", port
    finally:
        _stop(proc)


def _client_from_banner(banner: str, url: str) -> Any:
    key = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", banner)
    secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", banner)
    assert key and secret, banner
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key.group(1),
        aws_secret_access_key=secret.group(1),
    )


@SHARES_SERVED
def test_serve__banner_credentials_set_up_a_pool(served: tuple[str, str, Path, int]) -> None:
    banner, url, _, _ = served
    assert f"serving the Cognito API at {url}" in banner
    assert 'boto3.client("cognito-idp"' in banner
    idp = _client_from_banner(banner, url)
    pool_id = idp.create_user_pool(PoolName="from-banner")["UserPool"]["Id"]
    assert pool_id.startswith("us-east-1_")
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", GenerateSecret=True)
    assert len(client["UserPoolClient"]["ClientSecret"]) >= 24
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    idp.create_group(UserPoolId=pool_id, GroupName="admins")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    users = idp.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["alice"]


def test_serve__second_start_names_the_same_key_without_its_secret(tmp_path: Path) -> None:
    port = free_port()
    proc, first = _start(tmp_path / "data", port)
    _stop(proc)
    proc, second = _start(tmp_path / "data", port)
    try:
        key = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", first)
        secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", first)
        assert key and secret
        assert f"AWS_ACCESS_KEY_ID={key.group(1)}" in second
        # A banner often ends up in a service's log: the secret is printed on the start that made it only.
        assert secret.group(1) not in second
        saved = tmp_path / "data" / "admin-credentials.json"
        assert str(saved) in second
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://localhost:{port}",
            region_name="us-east-1",
            aws_access_key_id=key.group(1),
            aws_secret_access_key=json.loads(saved.read_text())["secret_access_key"],
        )
        assert idp.list_user_pools(MaxResults=5)["UserPools"] == []
    finally:
        _stop(proc)


def test_serve__environment_credentials_are_used_and_their_secret_is_not_printed(tmp_path: Path) -> None:
    port = free_port()
    env = {"USERPOOL_ADMIN_ACCESS_KEY_ID": "AKIAENVKEY0000000001", "USERPOOL_ADMIN_SECRET_ACCESS_KEY": "env-secret"}
    proc, banner = _start(tmp_path / "data", port, env)
    try:
        assert "AWS_ACCESS_KEY_ID=AKIAENVKEY0000000001" in banner
        assert "env-secret" not in banner
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://localhost:{port}",
            region_name="us-east-1",
            aws_access_key_id="AKIAENVKEY0000000001",
            aws_secret_access_key="env-secret",
        )
        assert "UserPools" in idp.list_user_pools(MaxResults=1)
    finally:
        _stop(proc)


@SHARES_SERVED
def test_serve__data_directory_and_its_files_are_private(served: tuple[str, str, Path, int]) -> None:
    _, url, data_dir, _ = served
    _client_from_banner(served[0], url).create_user_pool(PoolName="written")  # the database has been written to
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    names = sorted(p.name for p in data_dir.iterdir())
    assert {"userpool.sqlite3", "userpool.sqlite3-wal", "server-secret", "admin-credentials.json"} <= set(names)
    modes = {name: stat.S_IMODE((data_dir / name).stat().st_mode) for name in names}
    assert modes == dict.fromkeys(names, 0o600)


def test_serve__json_logs_are_one_object_per_line_without_secrets(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "USERPOOL_LOG__FORMAT": "json",
        "USERPOOL_LOG_LEVEL": "debug",  # everything the server and its libraries say
        "USERPOOL_WORKERS": "2",
        "USERPOOL_ADMIN_ACCESS_KEY_ID": "AKIAJSONLOGS00000001",
        "USERPOOL_ADMIN_SECRET_ACCESS_KEY": "json-logs-admin-secret",
    }
    proc, started = _start(tmp_path / "data", port, env)
    try:
        idp = boto3.client(
            "cognito-idp",
            endpoint_url=f"http://localhost:{port}",
            region_name="us-east-1",
            aws_access_key_id="AKIAJSONLOGS00000001",
            aws_secret_access_key="json-logs-admin-secret",
        )
        pool_id = idp.create_user_pool(PoolName="logs")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        # An invitation with its temporary password, through the log sender.
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="grace",
            TemporaryPassword="Temp-Secret-987",
            UserAttributes=[{"Name": "email", "Value": "grace@example.com"}],
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username="grace", Password="Sign-In-Secret-42", Permanent=True)
        for password in ("Sign-In-Secret-42", "Wrong-Secret-43"):
            try:
                idp.initiate_auth(
                    ClientId=client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "grace", "PASSWORD": password},
                )
            except idp.exceptions.NotAuthorizedException:
                pass
        # A warning logged while a call is answered carries that call's request id.
        idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:1:function:Gone"})
        try:
            idp.sign_up(ClientId=client_id, Username="heidi", Password="Sign-Up-Secret-44")
        except idp.exceptions.UnexpectedLambdaException as err:
            request_id = err.response["ResponseMetadata"]["RequestId"]
        time.sleep(1)  # the outbox thread's round
    finally:
        proc.terminate()
        assert proc.stdout is not None
        output = started + proc.stdout.read()
        proc.wait(timeout=20)
        proc.stdout.close()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line parses
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    assert any("Application startup complete" in entry["message"] for entry in lines)
    assert any("serving the Cognito API" in entry["message"] for entry in lines)  # the banner, as JSON too
    warned = [entry for entry in lines if "no trigger target is configured" in entry["message"]]
    assert warned and all(entry.get("request_id") == request_id for entry in warned)
    for secret in ("Temp-Secret-987", "Sign-In-Secret-42", "Wrong-Secret-43", "Sign-Up-Secret-44", "json-logs-admin"):
        assert secret not in output
