"""What a real user and a name no user has get back where the client hides which users exist
(PreventUserExistenceErrors ENABLED): the same keys, the same length of every value, the same errors — in a
pool of plain usernames and in one whose users sign in with their email address (AWS, "Managing user
existence error responses")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tests.support.auth import PASSWORD, make_client, make_user

POOL_KINDS = ("username", "email")
SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class Hiding:
    """A pool of ``kind``, an app client that hides users, a user ``real`` with the email ann@example.com and
    the password PASSWORD, and ``unknown``, a name of the same length that no user has."""

    pool_id: str
    client: dict[str, Any]
    real: str
    unknown: str

    @property
    def client_id(self) -> str:
        return str(self.client["ClientId"])


def hiding_pool(idp: Any, kind: str, signed_up: bool = False, **pool_config: Any) -> Hiding:
    """``real`` is CONFIRMED with a verified email, or with ``signed_up`` UNCONFIRMED, signed up through the
    client (its confirmation code sent)."""
    if kind == "email":
        pool_config.setdefault("UsernameAttributes", ["email"])
        real, unknown = "ann@example.com", "bob@example.com"
    else:
        real, unknown = "ann", "bob"
    pool_config.setdefault("AutoVerifiedAttributes", ["email"])
    pool_id = str(idp.create_user_pool(PoolName=f"hiding-{kind}", **pool_config)["UserPool"]["Id"])
    client = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED", ExplicitAuthFlows=SRP_FLOWS)
    if signed_up:
        email = [{"Name": "email", "Value": "ann@example.com"}]
        idp.sign_up(ClientId=client["ClientId"], Username=real, Password=PASSWORD, UserAttributes=email)
    else:
        make_user(idp, pool_id, real, PASSWORD, {"email": "ann@example.com", "email_verified": "true"})
    return Hiding(pool_id, client, real, unknown)


def shape(value: Any) -> Any:
    """``value`` with every string replaced by its length, dicts and lists kept: what must not differ."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, str):
        return len(value)
    return value


def outcome(call: Any, **kwargs: Any) -> Any:
    """The shape of ``call(**kwargs)``'s answer, or its error's code and message."""
    try:
        return shape(call(**kwargs))
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return ("error", error.response["Error"]["Code"], error.response["Error"]["Message"])
