"""Tagging operations on a pool ARN: TagResource, UntagResource, ListTagsForResource.

The tags are the pool's ``UserPoolTags``, so DescribeUserPool shows what these operations set. Only user pools
carry tags in Cognito: ``arn:<partition>:cognito-idp:<region>:<account>:userpool/<poolId>``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.model.pool_config import checked_tags, pool_tags, without_nulls
from userpool.model.records import Pool
from userpool.store.base import Tx

_POOL_ARN = re.compile(r"arn:aws[\w-]*:cognito-idp:([\w-]+):(\d{12}):userpool/([\w-]+_[0-9a-zA-Z]+)")


def _pool_for_arn(ctx: Ctx, tx: Tx, arn: str) -> Pool:
    """The pool an ARN names: a malformed ARN is a bad parameter, a well-formed one for no pool is not found."""
    match = _POOL_ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameterException(f"Invalid ARN: {arn} is not the ARN of a user pool.")
    region, account, pool_id = match.groups()
    pool = tx.pools.get(pool_id, for_update=True)
    if pool is None or account != ctx.settings.account_id or pool_id.split("_", 1)[0] != region:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


def _save_tags(ctx: Ctx, tx: Tx, pool: Pool, tags: dict[str, str]) -> None:
    config = {**pool.config, "UserPoolTags": tags}
    tx.pools.update(dataclasses.replace(pool, config=config, updated_at=ctx.now))


def tag_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """TagResource: add or overwrite tags on a pool."""
    new_tags = checked_tags(without_nulls(req["Tags"]))
    with ctx.store.write() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"])
        _save_tags(ctx, tx, pool, checked_tags({**pool_tags(pool), **new_tags}))
    return {}


def untag_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UntagResource: remove tag keys; keys the pool does not have are ignored."""
    with ctx.store.write() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"])
        removed = set(without_nulls(req["TagKeys"]))
        tags = {k: v for k, v in pool_tags(pool).items() if k not in removed}
        _save_tags(ctx, tx, pool, tags)
    return {}


def list_tags_for_resource(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """ListTagsForResource."""
    with ctx.store.read() as tx:
        pool = _pool_for_arn(ctx, tx, req["ResourceArn"])
    return {"Tags": pool_tags(pool)}
