"""User pool operations: CreateUserPool, DescribeUserPool, DeleteUserPool, ListUserPools."""

from __future__ import annotations

import copy
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.ids import new_pool_id
from userpool.model.paging import decode_token, encode_token
from userpool.model.records import Pool
from userpool.model.schema import build_schema
from userpool.services.lookup import pool_or_404
from userpool.store.base import Conflict, Tx

DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


def pool_arn(ctx: Ctx, pool_id: str) -> str:
    region = pool_id.split("_", 1)[0]
    return f"arn:aws:cognito-idp:{region}:{ctx.settings.account_id}:userpool/{pool_id}"


def _config(request: dict[str, Any]) -> dict[str, Any]:
    """The stored configuration of a pool: what the request set, with Cognito's defaults filled in."""
    config = copy.deepcopy({k: v for k, v in request.items() if k not in ("PoolName", "UserPoolId")})
    if config.get("UsernameAttributes") and config.get("AliasAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    policies = config.setdefault("Policies", {})
    policies["PasswordPolicy"] = {**DEFAULT_PASSWORD_POLICY, **(policies.get("PasswordPolicy") or {})}
    config["SchemaAttributes"] = build_schema(request.get("Schema"))
    config.pop("Schema", None)
    config.setdefault("DeletionProtection", "INACTIVE")
    config.setdefault("LambdaConfig", {})
    config.setdefault("MfaConfiguration", "OFF")
    config.setdefault("AdminCreateUserConfig", {})
    config["AdminCreateUserConfig"].setdefault("AllowAdminCreateUserOnly", False)
    config["AdminCreateUserConfig"].setdefault("UnusedAccountValidityDays", 7)
    config.setdefault("VerificationMessageTemplate", {})
    config["VerificationMessageTemplate"].setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    config.setdefault("EmailConfiguration", {"EmailSendingAccount": "COGNITO_DEFAULT"})
    config.setdefault("UserPoolTags", {})
    config.setdefault("UserPoolTier", "ESSENTIALS")
    return config


def describe(ctx: Ctx, tx: Tx, pool: Pool) -> dict[str, Any]:
    """UserPoolType for a stored pool."""
    body: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool_arn(ctx, pool.id),
        "CreationDate": pool.created_at,
        "LastModifiedDate": pool.updated_at,
        "EstimatedNumberOfUsers": tx.users.count(pool.id),
        **copy.deepcopy(pool.config),
    }
    for domain in tx.domains.for_pool(pool.id):
        body["CustomDomain" if "." in domain.domain else "Domain"] = domain.domain
    return body


def create_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    config = _config(req)
    while True:
        pool = Pool(new_pool_id(ctx.region), req["PoolName"], config, ctx.now, ctx.now)
        try:
            with ctx.store.write() as tx:
                tx.pools.add(pool)
                return {"UserPool": describe(ctx, tx, pool)}
        except Conflict:
            continue  # a 9-character id collided; draw another


def describe_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        return {"UserPool": describe(ctx, tx, pool_or_404(tx, req["UserPoolId"]))}


def delete_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        if pool.config.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException(
                f"The user pool {pool.id} cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first."
            )
        tx.pools.delete(pool.id)
    return {}


def list_user_pools(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    scope = "ListUserPools"
    with ctx.store.read() as tx:
        page = tx.pools.list(req["MaxResults"], decode_token(req.get("NextToken"), scope))
    result: dict[str, Any] = {
        "UserPools": [
            {
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": p.config.get("LambdaConfig", {}),
                "LastModifiedDate": p.updated_at,
                "CreationDate": p.created_at,
            }
            for p in page.items
        ]
    }
    token = encode_token(page.next_cursor, scope)
    if token:
        result["NextToken"] = token
    return result
