"""User pool operations: Create/Describe/Update/Delete/ListUserPools, AddCustomAttributes, GetCSVHeader,
Set/GetUserPoolMfaConfig.

The configuration rules (defaults, full-replace updates, MFA factors) are in ``model.pool_config`` and
``model.pool_mfa``; this module reads and writes pools, each operation in one transaction.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, UserImportInProgressException
from userpool.ids import new_pool_id
from userpool.model import pool_config, pool_mfa, schema
from userpool.model.records import Pool
from userpool.services.lookup.records import pool_or_404
from userpool.store.base import Conflict, Tx

LIST_SCOPE = "ListUserPools"


def pool_arn(ctx: Ctx, pool_id: str) -> str:
    """The pool's ARN; its region is the one the pool id was minted in."""
    region = pool_id.split("_", 1)[0]
    return f"arn:aws:cognito-idp:{region}:{ctx.settings.account_id}:userpool/{pool_id}"


def describe(ctx: Ctx, tx: Tx, pool: Pool) -> dict[str, Any]:
    """UserPoolType for a stored pool, with its domains and user count."""
    body: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool_arn(ctx, pool.id),
        "CreationDate": pool.created_at,
        "LastModifiedDate": pool.updated_at,
        "EstimatedNumberOfUsers": tx.users.count(pool.id),
        **pool_config.wire_members(pool.config),
    }
    for domain in tx.domains.for_pool(pool.id):
        body["CustomDomain" if "." in domain.domain else "Domain"] = domain.domain
    return body


def _save(ctx: Ctx, tx: Tx, pool: Pool, config: dict[str, Any], name: str | None = None) -> Pool:
    updated = dataclasses.replace(pool, name=name or pool.name, config=config, updated_at=ctx.now)
    tx.pools.update(updated)
    return updated


def create_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPool: store the whole configuration with Cognito's defaults and echo it."""
    req = pool_config.without_nulls(req)
    config = pool_config.create_config(req)
    while True:
        pool = Pool(new_pool_id(ctx.region), req["PoolName"], config, ctx.now, ctx.now)
        try:
            with ctx.store.write() as tx:
                tx.pools.add(pool)
                return {"UserPool": describe(ctx, tx, pool)}
        except Conflict:
            continue  # a 9-character id collided; draw another


def describe_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DescribeUserPool."""
    with ctx.store.read() as tx:
        return {"UserPool": describe(ctx, tx, pool_or_404(tx, req["UserPoolId"]))}


def _no_import_running(tx: Tx, pool: Pool) -> None:
    """UserImportInProgressException while a user import job of the pool is Pending, InProgress or Stopping: its
    users are checked against the pool as it is (the API references of UpdateUserPool, DeleteUserPool and
    AddCustomAttributes)."""
    if tx.import_jobs.active_in_pool(pool.id):
        raise UserImportInProgressException("A user import job is in progress for the user pool.")


def update_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPool: replace every setting it may set; omitted ones revert to their defaults."""
    req = pool_config.without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        _no_import_running(tx, pool)
        _save(ctx, tx, pool, pool_config.update_config(pool.config, req), req.get("PoolName"))
    return {}


def delete_user_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DeleteUserPool, refused while DeletionProtection is ACTIVE; clients, users and groups go with it."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        if pool_config.deletion_protected(pool):
            raise InvalidParameterException(
                f"The user pool {pool.id} cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first."
            )
        _no_import_running(tx, pool)
        tx.pools.delete(pool.id)
    return {}


def list_user_pools(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """ListUserPools: summaries in a stable order, ``NextToken`` only while more remain."""
    with ctx.store.read() as tx:
        page = tx.pools.list(req["MaxResults"], ctx.deps.page_tokens.decode(req.get("NextToken"), LIST_SCOPE))
    result: dict[str, Any] = {
        "UserPools": [
            {
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": pool_config.lambda_config(p),
                "LastModifiedDate": p.updated_at,
                "CreationDate": p.created_at,
            }
            for p in page.items
        ]
    }
    token = ctx.deps.page_tokens.encode(page.next_cursor, LIST_SCOPE)
    if token:
        result["NextToken"] = token
    return result


def add_custom_attributes(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """AddCustomAttributes: append definitions; existing attributes can never change or go away."""
    req = pool_config.without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        _no_import_running(tx, pool)
        added = schema.add_custom(pool_config.schema_attributes(pool), req["CustomAttributes"])
        _save(ctx, tx, pool, {**pool.config, "SchemaAttributes": added})
    return {}


def get_csv_header(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetCSVHeader: the import file's columns for this pool's schema."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": schema.csv_header(pool_config.schema_attributes(pool))}


def set_user_pool_mfa_config(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetUserPoolMfaConfig: set the MFA mode and the factors on offer; answers with the new configuration."""
    req = pool_config.without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        saved = _save(ctx, tx, pool, pool_mfa.set_mfa(pool.config, req))
    return pool_mfa.mfa_view(saved.config)


def get_user_pool_mfa_config(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolMfaConfig."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
    return pool_mfa.mfa_view(pool.config)
