"""Developer-authenticated identities: LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity
(cognito-identity API reference; Cognito developer guide: 'Developer-authenticated identities'). The developer
user identifiers are the logins of the pool's DeveloperProviderName."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, ResourceConflictException, ResourceNotFoundException
from userpool.model.identity_pools import IdentityPool
from userpool.model.paging import page_limit
from userpool.services.identity_pools.steps.records import identity_in_pool, identity_pool_or_404
from userpool.store.base import Tx

LOOKUP_SCOPE = "LookupDeveloperIdentity:"
# "The number of linked logins is limited to 20." (MergeDeveloperIdentities)
MAX_LINKED_LOGINS = 20


def _developer_provider(pool: IdentityPool, named: str | None = None) -> str:
    """The pool's DeveloperProviderName (which ``named`` must be, when given)."""
    provider = pool.developer_provider
    if provider is None or (named is not None and named != provider):
        shown = named if named is not None else "DeveloperProviderName"
        raise ResourceNotFoundException(f"Developer provider {shown} is not configured for IdentityPool '{pool.id}'.")
    return provider


def _owner(tx: Tx, pool: IdentityPool, provider: str, identifier: str) -> str:
    login = tx.identities.login(pool.id, provider, identifier)
    if login is None:
        raise ResourceNotFoundException(
            f"DeveloperUserIdentifier '{identifier}' not found in IdentityPool '{pool.id}'."
        )
    return login.identity_id


def lookup_developer_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """LookupDeveloperIdentity: the identity of a developer user identifier, or the identifiers of an identity (in
    pages of MaxResults); given both, the two must belong together (else ResourceConflictException)."""
    identity_id, identifier = req.get("IdentityId"), req.get("DeveloperUserIdentifier")
    if identity_id is None and identifier is None:
        raise InvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be specified.")
    scope = LOOKUP_SCOPE + req["IdentityPoolId"] + ":" + (identity_id or "")
    after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
        provider = _developer_provider(pool)
        if identifier is not None:
            owner = _owner(tx, pool, provider, identifier)
            if identity_id is not None and owner != identity_id:
                raise ResourceConflictException(
                    f"DeveloperUserIdentifier '{identifier}' does not belong to Identity '{identity_id}'."
                )
            return {"IdentityId": owner, "DeveloperUserIdentifierList": [identifier]}
        assert identity_id is not None
        identity_in_pool(tx, pool, identity_id)
        page = tx.identities.subjects_of(identity_id, provider, page_limit(req.get("MaxResults")), after)
    body: dict[str, Any] = {"IdentityId": identity_id, "DeveloperUserIdentifierList": page.items}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        body["NextToken"] = token
    return body


def merge_developer_identities(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """MergeDeveloperIdentities: the source user's identity gives every login to the destination user's, and is
    disabled. Two users of one public provider, or more than 20 logins in all, refuse the merge."""
    with ctx.store.write() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
        provider = _developer_provider(pool, req["DeveloperProviderName"])
        source_id = _owner(tx, pool, provider, req["SourceUserIdentifier"])
        target_id = _owner(tx, pool, provider, req["DestinationUserIdentifier"])
        if source_id == target_id:
            return {"IdentityId": target_id}
        source = identity_in_pool(tx, pool, source_id, for_update=True)
        target = identity_in_pool(tx, pool, target_id, for_update=True)
        logins = tx.identities.logins_of([source.id, target.id])
        users = {(x.provider, x.subject) for x in logins[target.id]}
        for login in logins[source.id]:
            clash = any(p == login.provider and s != login.subject for p, s in users)
            if clash and login.provider != provider:
                raise ResourceConflictException(
                    f"The identities to merge have logins of {login.provider} for two different users."
                )
        if len(logins[source.id]) + len(logins[target.id]) > MAX_LINKED_LOGINS:
            raise InvalidParameterException(
                f"The identities to merge have more than {MAX_LINKED_LOGINS} linked logins together."
            )
        tx.identities.move_logins(source.id, target.id)
        tx.identities.update(dataclasses.replace(source, disabled=True, updated_at=ctx.now))
        tx.identities.update(dataclasses.replace(target, updated_at=ctx.now))
    return {"IdentityId": target.id}


def unlink_developer_identity(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UnlinkDeveloperIdentity: the developer user identifier leaves its identity; seen again, it makes a new
    one."""
    with ctx.store.write() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
        provider = _developer_provider(pool, req["DeveloperProviderName"])
        identity = identity_in_pool(tx, pool, req["IdentityId"], for_update=True)
        identifier = req["DeveloperUserIdentifier"]
        if _owner(tx, pool, provider, identifier) != identity.id:
            raise ResourceConflictException(
                f"DeveloperUserIdentifier '{identifier}' does not belong to Identity '{identity.id}'."
            )
        tx.identities.remove_login(pool.id, provider, identifier)
        tx.identities.update(dataclasses.replace(identity, updated_at=ctx.now))
    return {}
