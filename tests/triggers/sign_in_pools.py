"""Pools, app clients and users for the sign-in trigger tests, and a look at the sign-in sessions they leave."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.support.auth import PASSWORD, make_user
from tests.triggers.conftest import TriggerServer, arn
from userpool.store.sql.tables import sign_in_sessions

FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


def lambda_config(triggers: dict[str, str], pre_token: tuple[str, str] | None = None) -> dict[str, Any]:
    """LambdaConfig naming the handler modules' ARNs; ``pre_token`` = (LambdaVersion, module) for
    PreTokenGenerationConfig."""
    config: dict[str, Any] = {name: arn(module) for name, module in triggers.items()}
    if pre_token is not None:
        config["PreTokenGenerationConfig"] = {"LambdaVersion": pre_token[0], "LambdaArn": arn(pre_token[1])}
    return config


def sign_in_pool(idp: Any, triggers: dict[str, str], pre_token: tuple[str, str] | None = None, **config: Any) -> str:
    created = idp.create_user_pool(PoolName="sign-in", LambdaConfig=lambda_config(triggers, pre_token), **config)
    return str(created["UserPool"]["Id"])


def app_client(idp: Any, pool_id: str, **config: Any) -> str:
    config.setdefault("ExplicitAuthFlows", FLOWS)
    return str(
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)["UserPoolClient"]["ClientId"]
    )


def user(idp: Any, pool_id: str, username: str, email: str, groups: tuple[str, ...] = ()) -> str:
    """A CONFIRMED user with PASSWORD and a verified email; its sub."""
    make_user(idp, pool_id, username, PASSWORD, {"email": email, "email_verified": "true"})
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return next(str(a["Value"]) for a in found if a["Name"] == "sub")


def password_sign_in(idp: Any, client_id: str, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **extra,
    )


def live_sessions(server: TriggerServer, pool_id: str) -> int:
    """How many sign-in sessions of the pool are not revoked: a session whose tokens were never handed out
    must not be one of them."""
    query = sa.select(sa.func.count()).where(
        sign_in_sessions.c.pool_id == pool_id, sign_in_sessions.c.revoked_at.is_(None)
    )
    with server.runtime.store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
