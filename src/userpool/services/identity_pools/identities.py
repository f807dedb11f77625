"""Identities: GetId, DescribeIdentity, ListIdentities, DeleteIdentities, UnlinkIdentity (cognito-identity API
reference; Cognito developer guide: 'Identity pools authentication flow').

GetId and UnlinkIdentity are public (``authtype: none``): what authorizes them is the Logins they carry, checked by
steps/logins.py, or, for a guest identity, the pool's AllowUnauthenticatedIdentities.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.model.identity_pools import Identity, IdentityLogin
from userpool.model.paging import page_limit
from userpool.services.identity_pools.steps.linking import (
    LOGINS_DONT_MATCH,
    UNAUTHENTICATED_NOT_SUPPORTED,
    linked_identity,
    new_guest,
)
from userpool.services.identity_pools.steps.logins import user_pool_named, verified_logins
from userpool.services.identity_pools.steps.records import identity_or_404, identity_pool_or_404, usable

LIST_SCOPE = "ListIdentities:"


def description(identity: Identity, logins: list[IdentityLogin]) -> dict[str, Any]:
    """IdentityDescription: the identity's id, the providers of its logins, and its dates."""
    body: dict[str, Any] = {"IdentityId": identity.id}
    providers = list(dict.fromkeys(login.provider for login in logins))
    if providers:
        body["Logins"] = providers
    body["CreationDate"] = identity.created_at
    body["LastModifiedDate"] = identity.updated_at
    return body


def get_id(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetId: the identity the Logins belong to (linked, merged or made now), or a new guest identity."""
    pool_id = req["IdentityPoolId"]
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, pool_id)
    if req.get("AccountId", ctx.settings.account_id) != ctx.settings.account_id:
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    logins = req.get("Logins") or {}
    if not logins:
        if not pool.allows_guests:
            raise NotAuthorizedException(UNAUTHENTICATED_NOT_SUPPORTED)
        return {"IdentityId": new_guest(ctx, pool).id}
    _, identity = linked_identity(ctx, pool.id, verified_logins(ctx, pool, logins))
    return {"IdentityId": identity.id}


def describe_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DescribeIdentity."""
    with ctx.store.read() as tx:
        identity = identity_or_404(tx, req["IdentityId"])
        logins = tx.identities.logins_of([identity.id])[identity.id]
    return description(identity, logins)


def list_identities(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """ListIdentities: the pool's identities in pages of MaxResults, without the disabled (merged) ones when
    HideDisabled."""
    pool_id = req["IdentityPoolId"]
    scope = LIST_SCOPE + pool_id
    after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
    with ctx.store.read() as tx:
        identity_pool_or_404(tx, pool_id)
        page = tx.identities.list(pool_id, page_limit(req["MaxResults"]), after, bool(req.get("HideDisabled")))
        logins = tx.identities.logins_of([i.id for i in page.items])
    body: dict[str, Any] = {
        "IdentityPoolId": pool_id,
        "Identities": [description(i, logins[i.id]) for i in page.items],
    }
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        body["NextToken"] = token
    return body


def delete_identities(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DeleteIdentities: each identity and its logins (an identity that is gone already needs nothing done)."""
    with ctx.store.write() as tx:
        for identity_id in dict.fromkeys(req["IdentityIdsToDelete"]):
            tx.identities.delete(identity_id)
    return {"UnprocessedIdentityIds": []}


def _removed(ctx: Ctx, logins: list[IdentityLogin], names: list[str]) -> list[IdentityLogin]:
    """The logins of the providers ``names`` names, a user pool in either spelling."""
    pools = {user_pool_named(ctx, name) for name in names} - {None}
    return [login for login in logins if login.provider in names or user_pool_named(ctx, login.provider) in pools]


def unlink_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UnlinkIdentity: the logins of the providers LoginsToRemove names leave the identity, which one of its
    logins in Logins must vouch for. "Removing the last linked login will make this identity inaccessible."
    """
    with ctx.store.read() as tx:
        identity = usable(identity_or_404(tx, req["IdentityId"]))
        pool = identity_pool_or_404(tx, identity.pool_id)
    verified = verified_logins(ctx, pool, req["Logins"])
    with ctx.store.write() as tx:
        identity = usable(identity_or_404(tx, identity.id, for_update=True))
        own = tx.identities.logins_of([identity.id])[identity.id]
        proven = {(login.provider, login.subject) for login in verified}
        if not any((login.provider, login.subject) in proven for login in own):
            raise NotAuthorizedException(LOGINS_DONT_MATCH)
        removed = _removed(ctx, own, list(req["LoginsToRemove"]))
        for login in removed:
            tx.identities.remove_login(pool.id, login.provider, login.subject)
        if removed:
            tx.identities.update(dataclasses.replace(identity, updated_at=ctx.now))
    return {}
