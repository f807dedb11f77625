"""Rotating an app client's secret: AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret
(API reference), and the two secrets a client authenticates with meanwhile: SECRET_HASH, GetTokensFromRefreshToken's
and RevokeToken's ClientSecret."""

from __future__ import annotations

import datetime
import re
from typing import Any

from tests.conftest import Server
from tests.support.auth import make_client, make_user, sdk_secret_hash
from tests.support.errors import fails
from userpool.clock import FixedClock

CUSTOM = "MyOwnSecret_0123456789abcdefXYZ"


def _confidential(idp: Any, pool_id: str) -> dict[str, Any]:
    return make_client(idp, pool_id, GenerateSecret=True)


def _secret_id(client_id: str, when: datetime.datetime) -> str:
    return f"{client_id}--{round(when.timestamp() * 1000)}"


def _password_sign_in(idp: Any, client_id: str, secret: str, username: str = "ann") -> dict[str, Any]:
    params = {"USERNAME": username, "PASSWORD": "Correct-Horse-9"}
    params["SECRET_HASH"] = sdk_secret_hash(secret, username, client_id)
    answer = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    return dict(answer["AuthenticationResult"])


def test_add_user_pool_client_secret__generated_secret_returned_once(app_server: Server, pool_id: str) -> None:
    idp = app_server.client()
    client = _confidential(idp, pool_id)
    client_id = client["ClientId"]
    created = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]

    answer = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    added = answer["ClientSecretDescriptor"]
    assert set(added) == {"ClientSecretId", "ClientSecretValue", "ClientSecretCreateDate"}
    assert re.fullmatch(r"[a-z0-9]{51}", added["ClientSecretValue"])
    assert added["ClientSecretValue"] != client["ClientSecret"]
    assert added["ClientSecretId"] == _secret_id(client_id, added["ClientSecretCreateDate"])
    assert added["ClientSecretCreateDate"] >= created["CreationDate"]

    listed = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    assert "NextToken" not in listed
    original = {
        "ClientSecretId": _secret_id(client_id, created["CreationDate"]),
        "ClientSecretCreateDate": created["CreationDate"],
    }
    newest = {k: added[k] for k in ("ClientSecretId", "ClientSecretCreateDate")}
    assert listed["ClientSecrets"] == [original, newest]
    # DescribeUserPoolClient keeps showing the client's oldest secret.
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == client["ClientSecret"]


def test_add_user_pool_client_secret__custom_secret_not_echoed(idp: Any, pool_id: str) -> None:
    client = _confidential(idp, pool_id)
    make_user(idp, pool_id, "ann")
    added = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"], ClientSecret=CUSTOM)
    assert set(added["ClientSecretDescriptor"]) == {"ClientSecretId", "ClientSecretCreateDate"}
    assert "AccessToken" in _password_sign_in(idp, client["ClientId"], CUSTOM)


def test_add_user_pool_client_secret__two_secrets_work_until_the_old_is_deleted(idp: Any, pool_id: str) -> None:
    client = _confidential(idp, pool_id)
    client_id, old = client["ClientId"], client["ClientSecret"]
    make_user(idp, pool_id, "ann")
    new = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]
    new_value = new["ClientSecretValue"]

    for secret in (old, new_value):
        tokens = _password_sign_in(idp, client_id, secret)
        refreshed = idp.get_tokens_from_refresh_token(
            ClientId=client_id, ClientSecret=secret, RefreshToken=tokens["RefreshToken"]
        )
        assert "AccessToken" in refreshed["AuthenticationResult"]
    kept = _password_sign_in(idp, client_id, new_value)["RefreshToken"]

    old_id = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"][0]
    answer = idp.delete_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id["ClientSecretId"]
    )
    assert set(answer) == {"ResponseMetadata"}

    unverified = ("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")
    assert fails(_password_sign_in, idp=idp, client_id=client_id, secret=old) == unverified
    assert "AccessToken" in _password_sign_in(idp, client_id, new_value)
    assert (
        fails(idp.get_tokens_from_refresh_token, ClientId=client_id, ClientSecret=old, RefreshToken=kept) == unverified
    )
    assert idp.get_tokens_from_refresh_token(ClientId=client_id, ClientSecret=new_value, RefreshToken=kept)
    assert fails(idp.revoke_token, ClientId=client_id, ClientSecret=old, Token=kept) == (
        "UnauthorizedException",
        "Invalid client credentials.",
    )
    idp.revoke_token(ClientId=client_id, ClientSecret=new_value, Token=kept)

    listed = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]
    assert [s["ClientSecretId"] for s in listed] == [new["ClientSecretId"]]
    described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == new_value


def test_add_user_pool_client_secret__same_millisecond_gets_its_own_id(clocked: Server, clock: FixedClock) -> None:
    idp = clocked.client()
    pool_id = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = _confidential(idp, pool_id)
    # The clock stands still: the new secret is made in the same millisecond as the client's own.
    added = idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client["ClientId"])["ClientSecretDescriptor"]
    listed = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])["ClientSecrets"]
    ids = [s["ClientSecretId"] for s in listed]
    assert len(set(ids)) == 2 and ids[1] == added["ClientSecretId"]
    assert listed[0]["ClientSecretCreateDate"] < listed[1]["ClientSecretCreateDate"]


def test_add_user_pool_client_secret__errors(idp: Any, pool_id: str) -> None:
    public = make_client(idp, pool_id)
    client = _confidential(idp, pool_id)
    client_id = client["ClientId"]
    assert fails(idp.add_user_pool_client_secret, UserPoolId=pool_id, ClientId=public["ClientId"]) == (
        "InvalidParameterException",
        f"Client {public['ClientId']} has no client secret: secrets can be added only to a confidential app client.",
    )
    assert fails(
        idp.add_user_pool_client_secret, UserPoolId=pool_id, ClientId=client_id, ClientSecret=client["ClientSecret"]
    ) == ("InvalidParameterException", f"The client secret is already a secret of client {client_id}.")
    idp.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    assert fails(idp.add_user_pool_client_secret, UserPoolId=pool_id, ClientId=client_id) == (
        "LimitExceededException",
        f"Client {client_id} already has 2 client secrets; delete one before adding another.",
    )
    assert fails(idp.add_user_pool_client_secret, UserPoolId=pool_id, ClientId="nosuchclient") == (
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    )
    assert fails(idp.add_user_pool_client_secret, UserPoolId="us-east-1_nothere", ClientId=client_id) == (
        "ResourceNotFoundException",
        "User pool us-east-1_nothere does not exist.",
    )
    # botocore checks the length; the pattern is the server's to check.
    assert fails(
        idp.add_user_pool_client_secret, UserPoolId=pool_id, ClientId=client_id, ClientSecret="not-a-valid-secret-value"
    ) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [\\w+]+",
    )


def test_list_user_pool_client_secrets__public_client_has_none(idp: Any, pool_id: str) -> None:
    public = make_client(idp, pool_id)
    answer = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=public["ClientId"])
    assert answer["ClientSecrets"] == []
    assert fails(idp.list_user_pool_client_secrets, UserPoolId=pool_id, ClientId="nosuchclient") == (
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    )


def test_delete_user_pool_client_secret__errors(idp: Any, pool_id: str) -> None:
    client = _confidential(idp, pool_id)
    client_id = client["ClientId"]
    only = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"][0]
    assert fails(
        idp.delete_user_pool_client_secret,
        UserPoolId=pool_id,
        ClientId=client_id,
        ClientSecretId=only["ClientSecretId"],
    ) == (
        "InvalidParameterException",
        f"Client secret {only['ClientSecretId']} is the last secret of client {client_id} and cannot be deleted.",
    )
    assert fails(
        idp.delete_user_pool_client_secret, UserPoolId=pool_id, ClientId=client_id, ClientSecretId=f"{client_id}--1"
    ) == ("ResourceNotFoundException", f"Client secret {client_id}--1 does not exist.")
    other = _confidential(idp, pool_id)
    assert fails(
        idp.delete_user_pool_client_secret,
        UserPoolId=pool_id,
        ClientId=other["ClientId"],
        ClientSecretId=only["ClientSecretId"],
    ) == ("ResourceNotFoundException", f"Client secret {only['ClientSecretId']} does not exist.")
    # Still there, still working.
    assert idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"] == [only]
