"""User pool groups and memberships: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup
(Cognito developer guide: 'Adding groups to a user pool')."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    GroupExistsException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from userpool.model.paging import page_limit
from userpool.model.records import Group
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.users.steps.user_wire import user_type
from userpool.store.base import Conflict, NotFound, Tx

MAX_GROUPS_PER_POOL = 10_000
MAX_GROUPS_PER_USER = 100
# The API reference caps Precedence at 2^31-1, a bound the botocore model does not carry.
MAX_PRECEDENCE = 2**31 - 1


def group_type(group: Group) -> dict[str, Any]:
    """GroupType, with the optional members a group does not have left out."""
    body: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    if group.description is not None:
        body["Description"] = group.description
    if group.role_arn is not None:
        body["RoleArn"] = group.role_arn
    if group.precedence is not None:
        body["Precedence"] = group.precedence
    body["LastModifiedDate"] = group.updated_at
    body["CreationDate"] = group.created_at
    return body


def _check_values(req: dict[str, Any]) -> None:
    """What the model cannot say: Precedence's upper bound, and text the database cannot hold."""
    precedence = req.get("Precedence")
    if precedence is not None and precedence > MAX_PRECEDENCE:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{precedence}' at 'precedence' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_PRECEDENCE}"
        )
    description = req.get("Description")
    if description is not None and "\x00" in description:
        raise InvalidParameterException("Description must not contain NUL characters.")


def _group_or_404(tx: Tx, pool_id: str, name: str) -> Group:
    group = tx.groups.get(pool_id, name)
    if group is None:
        raise ResourceNotFoundException("Group not found.")
    return group


def _with_token(ctx: Ctx, body: dict[str, Any], cursor: str | None, scope: str) -> dict[str, Any]:
    token = ctx.deps.page_tokens.encode(cursor, scope)
    if token:
        body["NextToken"] = token
    return body


def create_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    _check_values(req)
    group = Group(
        pool_id=req["UserPoolId"],
        name=req["GroupName"],
        description=req.get("Description"),
        role_arn=req.get("RoleArn"),
        precedence=req.get("Precedence"),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    try:
        with ctx.store.write() as tx:
            pool_or_404(tx, group.pool_id, for_update=True)  # the per-pool group limit
            if tx.groups.get(group.pool_id, group.name) is not None:
                raise GroupExistsException()
            if tx.groups.count(group.pool_id) >= MAX_GROUPS_PER_POOL:
                raise LimitExceededException(f"The user pool has reached its limit of {MAX_GROUPS_PER_POOL} groups.")
            tx.groups.add(group)
    except Conflict:
        # A concurrent CreateGroup with the same name committed between our read and our insert.
        raise GroupExistsException() from None
    return {"Group": group_type(group)}


def get_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        pool_or_404(tx, req["UserPoolId"])
        return {"Group": group_type(_group_or_404(tx, req["UserPoolId"], req["GroupName"]))}


def update_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    # Only the members sent change: AWS's own CLI example updates Description and Precedence and the
    # group keeps its RoleArn. None of them can be cleared, since SDKs never send a null.
    _check_values(req)
    changes = {
        field: req[member]
        for member, field in (("Description", "description"), ("RoleArn", "role_arn"), ("Precedence", "precedence"))
        if req.get(member) is not None
    }
    with ctx.store.write() as tx:
        pool_or_404(tx, req["UserPoolId"])
        group = dataclasses.replace(
            _group_or_404(tx, req["UserPoolId"], req["GroupName"]), **changes, updated_at=ctx.now
        )
        try:
            tx.groups.update(group)
        except NotFound:
            raise ResourceNotFoundException("Group not found.") from None
    return {"Group": group_type(group)}


def delete_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        pool_or_404(tx, req["UserPoolId"])
        try:
            # Memberships go with the group (ON DELETE CASCADE).
            tx.groups.delete(req["UserPoolId"], req["GroupName"])
        except NotFound:
            raise ResourceNotFoundException("Group not found.") from None
    return {}


def list_groups(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    pool_id = req["UserPoolId"]
    scope = f"ListGroups:{pool_id}"
    after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
    with ctx.store.read() as tx:
        pool_or_404(tx, pool_id)
        page = tx.groups.list(pool_id, page_limit(req.get("Limit")), after)
    return _with_token(ctx, {"Groups": [group_type(g) for g in page.items]}, page.next_cursor, scope)


def _is_member(tx: Tx, pool_id: str, sub: str, name: str) -> bool:
    # Only asked when the user is at the limit, so one page of MAX_GROUPS_PER_USER holds all their groups.
    page = tx.groups.groups_of(pool_id, sub, MAX_GROUPS_PER_USER, None)
    return any(g.name == name for g in page.items)


def admin_add_user_to_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    try:
        with ctx.store.write() as tx:
            pool = pool_or_404(tx, req["UserPoolId"])
            group = _group_or_404(tx, pool.id, req["GroupName"])
            user = user_or_404(tx, pool, req["Username"])
            if tx.groups.count_groups_of(pool.id, user.sub) >= MAX_GROUPS_PER_USER and not _is_member(
                tx, pool.id, user.sub, group.name
            ):
                raise LimitExceededException(f"A user can be a member of at most {MAX_GROUPS_PER_USER} groups.")
            tx.groups.add_member(pool.id, group.name, user.sub)
    except Conflict:
        pass  # the same membership was added concurrently, and adding is idempotent
    return {}


def admin_remove_user_from_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        group = _group_or_404(tx, pool.id, req["GroupName"])
        user = user_or_404(tx, pool, req["Username"])
        tx.groups.remove_member(pool.id, group.name, user.sub)
    return {}


def admin_list_groups_for_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        # Bound to the user's sub, not the name given, so that a token survives the user being named by alias.
        scope = f"AdminListGroupsForUser:{pool.id}:{user.sub}"
        after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
        page = tx.groups.groups_of(pool.id, user.sub, page_limit(req.get("Limit")), after)
    return _with_token(ctx, {"Groups": [group_type(g) for g in page.items]}, page.next_cursor, scope)


def list_users_in_group(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    pool_id, name = req["UserPoolId"], req["GroupName"]
    scope = f"ListUsersInGroup:{pool_id}:{name}"
    after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
    with ctx.store.read() as tx:
        pool_or_404(tx, pool_id)
        _group_or_404(tx, pool_id, name)
        page = tx.groups.members(pool_id, name, page_limit(req.get("Limit")), after)
    return _with_token(ctx, {"Users": [user_type(u) for u in page.items]}, page.next_cursor, scope)
