"""The AWS JSON 1.1 wire of POST / (Smithy: 'AWS JSON 1.1 protocol'): targets, bodies, validation wording,
headers, CORS and timestamps, as raw HTTP and through boto3."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server
from tests.support.signing import TARGET_PREFIX, send, signed_request

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
POOL_ID_PATTERN = r"[\w-]+_[0-9a-zA-Z]+"


def _post(server: Server, operation: str, body: bytes | dict[str, Any]) -> Any:
    return send(server.test_client, signed_request(operation, body, ACCESS_KEY, SECRET_KEY))


def _assert_error(response: Any, code: str) -> dict[str, Any]:
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == f"{code}:"
    assert UUID.fullmatch(response.headers["x-amzn-RequestId"])
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    body: dict[str, Any] = response.json()
    assert body["__type"] == code
    assert isinstance(body["message"], str)
    return body


# Targets and bodies


def test_wire__unknown_target(app_server: Server) -> None:
    response = app_server.test_client.post("/", headers={"X-Amz-Target": TARGET_PREFIX + "MakeCoffee"}, content=b"{}")
    _assert_error(response, "UnknownOperationException")


def test_wire__target_of_another_service(app_server: Server) -> None:
    response = app_server.test_client.post("/", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"}, content=b"{}")
    _assert_error(response, "UnknownOperationException")


def test_wire__missing_target(app_server: Server) -> None:
    _assert_error(app_server.test_client.post("/", content=b"{}"), "UnknownOperationException")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe{}", b'{"PoolName": "\\ud800"}'])
def test_wire__body_that_is_not_a_json_object(app_server: Server, idp: Any, body: bytes) -> None:
    _assert_error(_post(app_server, "CreateUserPool", body), "SerializationException")
    assert idp.list_user_pools(MaxResults=60)["UserPools"] == []


def test_wire__empty_body_is_an_empty_object(app_server: Server) -> None:
    body = _assert_error(_post(app_server, "ListUserPools", b""), "InvalidParameterException")
    assert body["message"] == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("DescribeUserPool", {"UserPoolId": 5}),
        ("ListUserPools", {"MaxResults": "5"}),
        ("ListUserPools", {"MaxResults": True}),
        ("ListUserPools", {"MaxResults": 1.5}),
        ("CreateUserPool", {"PoolName": "p", "Policies": []}),
        ("CreateUserPool", {"PoolName": "p", "AliasAttributes": "email"}),
        ("CreateUserPool", {"PoolName": "p", "UserPoolTags": ["a"]}),
        ("CreateUserPool", {"PoolName": "p", "DeletionProtection": 1}),
    ],
)
def test_wire__wrong_json_type_for_a_member(app_server: Server, operation: str, body: dict[str, Any]) -> None:
    _assert_error(_post(app_server, operation, body), "SerializationException")


def test_wire__unknown_members_are_ignored(app_server: Server) -> None:
    response = _post(app_server, "ListUserPools", {"MaxResults": 5, "Colour": "blue"})
    assert response.status_code == 200
    assert response.json() == {"UserPools": []}


@pytest.mark.parametrize(("opening", "closing"), [(b"[", b"]"), (b'{"a":', b"}")])
def test_wire__deeply_nested_body_is_a_serialization_error(
    app_server: Server, caplog: pytest.LogCaptureFixture, opening: bytes, closing: bytes
) -> None:
    # 485 levels fit in under 1 KB; the deepest input shape of the model nests 4 (CreateUserPool's Schema).
    nested = opening * 485 + b"1" + closing * 485
    unsigned = app_server.test_client.post(
        "/",
        headers={"X-Amz-Target": TARGET_PREFIX + "InitiateAuth", "Content-Type": "application/x-amz-json-1.1"},
        content=b'{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "c", "ClientMetadata": ' + nested + b"}",
    )
    signed = _post(app_server, "CreateUserPool", b'{"PoolName": "p", "Extra": ' + nested + b"}")
    for response in (unsigned, signed):
        assert _assert_error(response, "SerializationException")["message"] == "Request body is nested too deeply."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_wire__nesting_a_little_beyond_the_model_is_accepted(app_server: Server) -> None:
    # Unknown members are ignored (above), also when they nest a few levels deeper than any input shape.
    response = _post(app_server, "ListUserPools", {"MaxResults": 5, "Colour": {"a": [{"b": [1]}]}})
    assert response.status_code == 200


# Validation wording


def test_wire__one_constraint_violation(app_server: Server) -> None:
    raw = app_server.client(parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        raw.describe_user_pool(UserPoolId="x")
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {POOL_ID_PATTERN}"
    )


def test_wire__two_constraint_violations(app_server: Server) -> None:
    body = _assert_error(
        _post(app_server, "CreateGroup", {"UserPoolId": "x", "GroupName": "g", "Precedence": -1}),
        "InvalidParameterException",
    )
    assert body["message"] == (
        "2 validation errors detected: "
        "Value 'x' at 'userPoolId' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {POOL_ID_PATTERN}; "
        "Value '-1' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0"
    )


def test_wire__missing_required_member(app_server: Server) -> None:
    body = _assert_error(_post(app_server, "CreateGroup", {"UserPoolId": "eu-west-1_abc"}), "InvalidParameterException")
    assert body["message"] == (
        "1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null"
    )


def test_wire__enum_violation(app_server: Server) -> None:
    body = _assert_error(
        _post(app_server, "CreateUserPool", {"PoolName": "p", "MfaConfiguration": "SOMETIMES"}),
        "InvalidParameterException",
    )
    assert (
        "Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set:"
        in (body["message"])
    )


def test_wire__sensitive_values_are_not_echoed(app_server: Server, pool_id: str) -> None:
    body = _assert_error(
        _post(app_server, "AdminAddUserToGroup", {"UserPoolId": pool_id, "Username": "has space", "GroupName": "g"}),
        "InvalidParameterException",
    )
    assert "has space" not in body["message"]
    assert "at 'username' failed to satisfy constraint" in body["message"]


def test_wire__nested_member_path(app_server: Server) -> None:
    body = _assert_error(
        _post(app_server, "CreateUserPool", {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 1}}}),
        "InvalidParameterException",
    )
    assert "at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint" in body["message"]


# Headers


def test_wire__success_headers(app_server: Server) -> None:
    response = _post(app_server, "ListUserPools", {"MaxResults": 5})
    assert response.status_code == 200
    assert UUID.fullmatch(response.headers["x-amzn-RequestId"])
    assert "x-amzn-ErrorType" not in response.headers
    assert response.headers["content-type"] == "application/x-amz-json-1.1"


def test_wire__request_ids_differ(app_server: Server) -> None:
    ids = {_post(app_server, "ListUserPools", {"MaxResults": 5}).headers["x-amzn-RequestId"] for _ in range(3)}
    assert len(ids) == 3


def test_wire__boto3_sees_the_request_id(idp: Any) -> None:
    assert UUID.fullmatch(idp.list_user_pools(MaxResults=5)["ResponseMetadata"]["RequestId"])
    with pytest.raises(ClientError) as exc:
        idp.describe_user_pool(UserPoolId="eu-west-1_missing00")
    assert UUID.fullmatch(exc.value.response["ResponseMetadata"]["RequestId"])


def test_wire__error_headers_on_service_errors(app_server: Server) -> None:
    response = _post(app_server, "DescribeUserPool", {"UserPoolId": "eu-west-1_missing00"})
    body = _assert_error(response, "ResourceNotFoundException")
    assert body["message"] == "User pool eu-west-1_missing00 does not exist."


def test_wire__error_headers_on_signature_errors(app_server: Server) -> None:
    response = app_server.test_client.post(
        "/", headers={"X-Amz-Target": TARGET_PREFIX + "ListUserPools"}, content=b'{"MaxResults": 5}'
    )
    _assert_error(response, "MissingAuthenticationTokenException")


def test_wire__cors_preflight(app_server: Server) -> None:
    response = app_server.test_client.options(
        "/",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"POST", "OPTIONS"} <= methods
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {
        "content-type",
        "x-amz-target",
        "x-amz-user-agent",
        "cache-control",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
    } <= allowed
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage", "date"} <= exposed
    assert UUID.fullmatch(response.headers["x-amzn-RequestId"])


def test_wire__cors_headers_on_answers(app_server: Server) -> None:
    ok = _post(app_server, "ListUserPools", {"MaxResults": 5})
    failed = _post(app_server, "DescribeUserPool", {"UserPoolId": "eu-west-1_missing00"})
    for response in (ok, failed):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "x-amzn-errortype" in response.headers["access-control-expose-headers"].lower()


# Timestamps


def test_wire__timestamps_are_json_numbers(app_server: Server) -> None:
    pool = _post(app_server, "CreateUserPool", {"PoolName": "p"}).json()["UserPool"]
    assert isinstance(pool["CreationDate"], int | float) and not isinstance(pool["CreationDate"], bool)
    assert isinstance(pool["LastModifiedDate"], int | float)
    group = _post(app_server, "CreateGroup", {"UserPoolId": pool["Id"], "GroupName": "g"}).json()["Group"]
    assert isinstance(group["CreationDate"], float | int)
    assert isinstance(group["LastModifiedDate"], float | int)
    listed = _post(app_server, "ListUserPools", {"MaxResults": 5}).json()["UserPools"][0]
    assert listed["CreationDate"] == pool["CreationDate"]
    assert all(v is not None for v in group.values())
