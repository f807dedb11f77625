"""Tagging an identity pool by its ARN: TagResource, UntagResource, ListTagsForResource (cognito-identity API
reference). The tags are the pool's IdentityPoolTags, so DescribeIdentityPool shows what these set;
``arn:aws:cognito-identity:<region>:<account>:identitypool/<IdentityPoolId>``."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.model.identity_pools import IdentityPool, checked_tags, pool_id_of_arn
from userpool.store.base import Tx

_ARN_PREFIX = "arn:aws"


def _pool_for_arn(ctx: Ctx, tx: Tx, arn: str, for_update: bool = True) -> IdentityPool:
    """The pool an ARN names: an ARN that is not an identity pool's is a bad parameter, one of no pool here is
    not found."""
    if not arn.startswith(_ARN_PREFIX) or ":cognito-identity:" not in arn or ":identitypool/" not in arn:
        raise InvalidParameterException(f"Invalid ARN: {arn} is not the ARN of an identity pool.")
    pool_id = pool_id_of_arn(arn, ctx.settings.account_id)
    pool = tx.identity_pools.get(pool_id, for_update) if pool_id else None
    if pool is None:
        raise ResourceNotFoundException(f"IdentityPool '{arn.rsplit('/', 1)[-1]}' not found.")
    return pool


def tag_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """TagResource: add tags, or give keys the pool has new values."""
    with ctx.store.write() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"])
        tags = checked_tags({**pool.tags, **req["Tags"]})
        tx.identity_pools.update(dataclasses.replace(pool, tags=tags, updated_at=ctx.now))
    return {}


def untag_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UntagResource: remove tag keys; keys the pool does not have are ignored."""
    with ctx.store.write() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"])
        removed = set(req["TagKeys"])
        tags = {k: v for k, v in pool.tags.items() if k not in removed}
        tx.identity_pools.update(dataclasses.replace(pool, tags=tags, updated_at=ctx.now))
    return {}


def list_tags_for_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """ListTagsForResource."""
    with ctx.store.read() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"], for_update=False)
    return {"Tags": dict(pool.tags)}
