"""Identity pool operations: CreateIdentityPool, DescribeIdentityPool, UpdateIdentityPool, DeleteIdentityPool,
ListIdentityPools (cognito-identity API reference). The configuration rules are model/identity_pools.py's."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.model import identity_pools as model
from userpool.model.identity_pools import IdentityPool, new_identity_pool_id
from userpool.model.paging import page_limit
from userpool.services.identity_pools.steps.records import identity_pool_or_404
from userpool.store.base import Conflict

LIST_SCOPE = "ListIdentityPools"


def create_identity_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """CreateIdentityPool: the pool, in the region of the call's signature, with its configuration's defaults."""
    config = model.pool_config(req)
    tags = model.checked_tags(dict(req.get("IdentityPoolTags", {})))
    while True:
        pool = IdentityPool(
            new_identity_pool_id(ctx.region), req["IdentityPoolName"], config, {}, tags, ctx.now, ctx.now
        )
        try:
            with ctx.store.write() as tx:
                tx.identity_pools.add(pool)
            return model.describe(pool)
        except Conflict:
            continue  # a GUID collided; draw another


def describe_identity_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DescribeIdentityPool."""
    with ctx.store.read() as tx:
        return model.describe(identity_pool_or_404(tx, req["IdentityPoolId"]))


def update_identity_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UpdateIdentityPool: every member it may set is replaced, omitted ones revert to their defaults; the
    DeveloperProviderName set once stays, and the tags stay unless IdentityPoolTags is sent (TagResource and
    UntagResource change them)."""
    with ctx.store.write() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"], for_update=True)
        tags = model.checked_tags(dict(req["IdentityPoolTags"])) if "IdentityPoolTags" in req else pool.tags
        updated = dataclasses.replace(
            pool,
            name=req["IdentityPoolName"],
            config=model.pool_config(req, pool.config),
            tags=tags,
            updated_at=ctx.now,
        )
        tx.identity_pools.update(updated)
    return model.describe(updated)


def delete_identity_pool(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DeleteIdentityPool: the pool, its identities and their logins."""
    with ctx.store.write() as tx:
        identity_pool_or_404(tx, req["IdentityPoolId"], for_update=True)
        tx.identity_pools.delete(req["IdentityPoolId"])
    return {}


def list_identity_pools(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """ListIdentityPools: id and name of each pool, in pages of MaxResults."""
    after = ctx.deps.page_tokens.decode(req.get("NextToken"), LIST_SCOPE)
    with ctx.store.read() as tx:
        page = tx.identity_pools.list(page_limit(req["MaxResults"]), after)
    body: dict[str, Any] = {"IdentityPools": [{"IdentityPoolId": p.id, "IdentityPoolName": p.name} for p in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, LIST_SCOPE)
    if token is not None:
        body["NextToken"] = token
    return body
