"""SigV4 on the admin API (AWS: "Signature Version 4 for API requests"): who may call, and how
unsigned, unknown, wrong, stale and tampered requests are answered."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore
import botocore.auth
import pytest
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings
from tests.support.bridge import in_process_client
from tests.support.signing import send, signed_request
from userpool.app import build_runtime, create_app
from userpool.config import Settings
from userpool.model.records import AdminKey


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _unsigned(server: Server) -> Any:
    return server.client(signature_version=botocore.UNSIGNED)


@pytest.fixture
def dev_server(tmp_path: Path, database_url: str) -> Iterator[Server]:
    settings = make_settings(tmp_path / "dev-data", database_url, dev=True)
    runtime = build_runtime(settings)
    with TestClient(create_app(settings, runtime=runtime)) as test_client:
        yield Server(settings, runtime, test_client)
    runtime.store.dispose()


def _cli(settings: Settings, *args: str) -> str:
    """Run the installed ``userpool`` command against the test server's database."""
    command = [
        str(Path(sys.executable).parent / "userpool"),
        *args,
        "--data-dir",
        str(settings.data_dir),
        "--database-url",
        settings.database_url,
    ]
    env = {"PATH": os.environ.get("PATH", ""), "USERPOOL_SECRET_KEYS": ",".join(settings.secret_keys)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


# Refused calls


def test_sigv4__unsigned_admin_call(app_server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        _unsigned(app_server).list_user_pools(MaxResults=5)
    assert _code(exc) == "MissingAuthenticationTokenException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sigv4__unsigned_admin_call_creates_nothing(app_server: Server, idp: Any) -> None:
    with pytest.raises(ClientError) as exc:
        _unsigned(app_server).create_user_pool(PoolName="sneaky")
    assert _code(exc) == "MissingAuthenticationTokenException"
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []


def test_sigv4__unknown_access_key(app_server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        app_server.client("AKIDNOBODYKNOWS00000", SECRET_KEY).list_user_pools(MaxResults=5)
    assert _code(exc) == "UnrecognizedClientException"
    assert exc.value.response["Error"]["Message"] == "The security token included in the request is invalid."


def test_sigv4__wrong_secret(app_server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        app_server.client(ACCESS_KEY, SECRET_KEY + "x").list_user_pools(MaxResults=5)
    assert _code(exc) == "InvalidSignatureException"
    assert exc.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_sigv4__session_token_not_ours(app_server: Server) -> None:
    # Our keys are long-term keys: a request signed with temporary credentials was not signed by us.
    request = signed_request("ListUserPools", {"MaxResults": 5}, ACCESS_KEY, SECRET_KEY, token="session-token")
    assert request.headers["X-Amz-Security-Token"] == "session-token"
    response = send(app_server.test_client, request)
    assert response.json()["__type"] == "UnrecognizedClientException"


def test_sigv4__stale_date(app_server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: stale)
    request = signed_request("ListUserPools", {"MaxResults": 5}, ACCESS_KEY, SECRET_KEY)
    monkeypatch.undo()
    assert request.headers["X-Amz-Date"] == stale.strftime("%Y%m%dT%H%M%SZ")

    response = send(app_server.test_client, request)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    body = response.json()
    assert body["__type"] == "InvalidSignatureException"
    # AWS's wording: "<date> is now earlier than <now - 15 min> (<now> - 15 min.)".
    match = re.fullmatch(
        rf"Signature expired: {request.headers['X-Amz-Date']} is now earlier than (\w+) \((\w+) - 15 min\.\)",
        body["message"],
    )
    assert match is not None, body["message"]
    bound, now = (datetime.datetime.strptime(m, "%Y%m%dT%H%M%SZ") for m in match.groups())
    assert now - bound == datetime.timedelta(minutes=15)


def test_sigv4__fresh_hand_signed_request_passes(app_server: Server) -> None:
    request = signed_request("ListUserPools", {"MaxResults": 5}, ACCESS_KEY, SECRET_KEY)
    response = send(app_server.test_client, request)
    assert response.status_code == 200
    assert response.json() == {"UserPools": []}


def test_sigv4__body_altered_after_signing(app_server: Server, idp: Any) -> None:
    request = signed_request("CreateUserPool", {"PoolName": "signed"}, ACCESS_KEY, SECRET_KEY)
    response = send(app_server.test_client, request, body=json.dumps({"PoolName": "tampered"}).encode())
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidSignatureException"
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []


def test_sigv4__target_altered_after_signing(app_server: Server) -> None:
    request = signed_request("ListUserPools", {"MaxResults": 5}, ACCESS_KEY, SECRET_KEY)
    request.headers.replace_header("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool")
    response = send(app_server.test_client, request, body=json.dumps({"PoolName": "p"}).encode())
    assert response.json()["__type"] == "InvalidSignatureException"


def test_sigv4__unsigned_target_cannot_be_replayed_against_another_operation(app_server: Server, idp: Any) -> None:
    # A signature that does not cover the target lets whoever captured a request replay its body against
    # another operation: AdminGetUser's body is a valid AdminDisableUser body.
    pool_id = idp.create_user_pool(PoolName="replayed")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    body = {"UserPoolId": pool_id, "Username": "alice"}
    request = signed_request("AdminGetUser", body, ACCESS_KEY, SECRET_KEY, omit=("x-amz-target",))
    request.headers.replace_header("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDisableUser")
    response = send(app_server.test_client, request)
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidSignatureException"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is True


def test_sigv4__a_second_target_cannot_replay_a_signed_call_as_another_operation(app_server: Server, idp: Any) -> None:
    # A captured AdminGetUser with another X-Amz-Target put before its own: the operation and the signature are
    # read from one value, both targets joined as SigV4 joins a repeated header, which names no operation.
    pool_id = idp.create_user_pool(PoolName="replayed")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    request = signed_request("AdminGetUser", {"UserPoolId": pool_id, "Username": "alice"}, ACCESS_KEY, SECRET_KEY)
    headers = [(k, v) for k, v in request.headers.items() if k.lower() != "x-amz-target"]
    headers = [
        ("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDisableUser"),
        *headers,
        ("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminGetUser"),
        ("Host", urlsplit(request.url).netloc),
    ]
    response = app_server.test_client.post("/", headers=headers, content=request.data)
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["Enabled"] is True


@pytest.mark.parametrize("header", ["X-Amz-Target", "Content-Type", "Host"])
def test_sigv4__target_content_type_and_host_must_be_signed(app_server: Server, header: str) -> None:
    request = signed_request("ListUserPools", {"MaxResults": 5}, ACCESS_KEY, SECRET_KEY, omit=(header.lower(),))
    signed_headers = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert header.lower() not in signed_headers  # send() sends it all the same
    response = send(app_server.test_client, request)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException:"
    assert response.json() == {
        "__type": "InvalidSignatureException",
        "message": f"'{header}' must be a 'SignedHeader' in the AWS Authorization.",
    }


@pytest.mark.parametrize("region", ["eu_west_1", "r" * 60, "eu.west.1"])
def test_sigv4__scope_region_that_cannot_prefix_a_pool_id(app_server: Server, idp: Any, region: str) -> None:
    # A pool id is "<region>_<suffix>" of at most 55 characters: such a region cannot name a pool.
    request = signed_request("CreateUserPool", {"PoolName": "odd-region"}, ACCESS_KEY, SECRET_KEY, region=region)
    response = send(app_server.test_client, request)
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidSignatureException"
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []


# Accepted calls


def test_sigv4__scope_region_prefixes_new_pool_ids(app_server: Server) -> None:
    client = in_process_client(app_server.test_client, ACCESS_KEY, SECRET_KEY, region="ap-southeast-2")
    pool = client.create_user_pool(PoolName="sydney")["UserPool"]
    assert pool["Id"].startswith("ap-southeast-2_")
    assert pool["Arn"] == f"arn:aws:cognito-idp:ap-southeast-2:123456789012:userpool/{pool['Id']}"


def test_sigv4__unsigned_operations_need_no_signature(app_server: Server) -> None:
    client = _unsigned(app_server)
    calls = [
        ("initiate_auth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nosuchclient", "AuthParameters": {}}),
        ("sign_up", {"ClientId": "nosuchclient", "Username": "alice", "Password": "Passw0rd!"}),
        ("forgot_password", {"ClientId": "nosuchclient", "Username": "alice"}),
        ("get_user", {"AccessToken": "not-a-token"}),
    ]
    for method, params in calls:
        with pytest.raises(ClientError) as exc:
            getattr(client, method)(**params)
        code = _code(exc)
        assert code not in ("MissingAuthenticationTokenException", "InternalErrorException"), (method, code)
        if code == "UnsupportedOperationException":
            assert "not implemented" in exc.value.response["Error"]["Message"]


def test_sigv4__unsigned_operations_ignore_a_bad_signature(app_server: Server) -> None:
    body = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nosuchclient", "AuthParameters": {}}
    request = signed_request("InitiateAuth", body, "AKIDNOBODYKNOWS00000", "wrong")
    response = send(app_server.test_client, request)
    assert response.status_code == 400
    assert response.json()["__type"] not in ("UnrecognizedClientException", "InvalidSignatureException")


def test_sigv4__admin_key_from_cli_signs_until_deleted(app_server: Server) -> None:
    created = json.loads(_cli(app_server.settings, "admin-key", "create", "--description", "ci"))
    client = app_server.client(created["AccessKeyId"], created["SecretAccessKey"])
    pool = client.create_user_pool(PoolName="by-cli-key")["UserPool"]
    assert client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "by-cli-key"
    assert created["AccessKeyId"] in _cli(app_server.settings, "admin-key", "list")

    _cli(app_server.settings, "admin-key", "delete", created["AccessKeyId"])
    with pytest.raises(ClientError) as exc:
        client.list_user_pools(MaxResults=5)
    assert _code(exc) == "UnrecognizedClientException"
    assert app_server.client().list_user_pools(MaxResults=5)["UserPools"][0]["Id"] == pool["Id"]


def test_sigv4__admin_key_from_store_needs_its_own_secret(app_server: Server) -> None:
    with app_server.runtime.store.write() as tx:
        tx.admin_keys.add(AdminKey("AKIASTOREDKEY0000001", "stored-secret-0123456789", None, 0.0))
    assert app_server.client("AKIASTOREDKEY0000001", "stored-secret-0123456789").list_user_pools(MaxResults=5)
    with pytest.raises(ClientError) as exc:
        app_server.client("AKIASTOREDKEY0000001", SECRET_KEY).list_user_pools(MaxResults=5)
    assert _code(exc) == "InvalidSignatureException"


# Dev mode


def test_sigv4__dev_mode_accepts_unsigned_calls(dev_server: Server) -> None:
    client = _unsigned(dev_server)
    pool = client.create_user_pool(PoolName="dev")["UserPool"]
    response = client.describe_user_pool(UserPoolId=pool["Id"])
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-local-auth"] == "disabled"
    assert pool["Id"].startswith(dev_server.settings.region + "_")


def test_sigv4__dev_mode_accepts_a_wrong_secret(dev_server: Server) -> None:
    response = dev_server.client(ACCESS_KEY, "not-the-secret").list_user_pools(MaxResults=5)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-local-auth"] == "disabled"


def test_sigv4__dev_mode_marks_errors_too(dev_server: Server) -> None:
    with pytest.raises(ClientError) as exc:
        _unsigned(dev_server).describe_user_pool(UserPoolId="eu-west-1_missing00")
    assert _code(exc) == "ResourceNotFoundException"
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-local-auth"] == "disabled"


def test_sigv4__no_dev_header_when_signatures_are_checked(idp: Any) -> None:
    response = idp.list_user_pools(MaxResults=5)
    assert "x-local-auth" not in response["ResponseMetadata"]["HTTPHeaders"]


# A real socket and a real client


def _aws(live_server: str, tmp_path: Path, secret: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    aws = str(Path(sys.executable).parent / "aws")
    command = [aws, "cognito-idp", *args, "--endpoint-url", live_server, "--output", "json"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_sigv4__aws_cli_over_a_socket(live_server: str, live_idp: Any, tmp_path: Path) -> None:
    pool_id = live_idp.create_user_pool(PoolName="from-boto3")["UserPool"]["Id"]
    done = _aws(live_server, tmp_path, SECRET_KEY, "list-user-pools", "--max-results", "5")
    assert done.returncode == 0, done.stderr
    assert [p["Id"] for p in json.loads(done.stdout)["UserPools"]] == [pool_id]

    refused = _aws(live_server, tmp_path, SECRET_KEY + "x", "list-user-pools", "--max-results", "5")
    assert refused.returncode != 0
    assert "InvalidSignatureException" in refused.stderr
