"""Which identity a request's logins belong to: linking new logins, and merging identities that turn out to be one
(Cognito developer guide: 'Identity pools authentication flow', GetOpenIdToken's "Linking logins" and "Merging
identities").

- A login no identity has is linked to the identity the request is for: the one its other logins belong to, the
  IdentityId it names, or a new one.
- When the logins (and the IdentityId) belong to different identities, those are merged: the identity of the
  first of the request's logins that has one keeps every login, and the others are disabled (DescribeIdentity
  still shows them; they give no tokens or credentials). The identity that remains is the one answered.
- "You may only link one login per public provider": a second user of a provider an identity has a login of is a
  ResourceConflictException, whether linked or merged. A developer provider may have several (Cognito "supports
  the association of multiple developer user identifiers with an identity ID").
- An authenticated identity is reached only with one of its own logins ("you must pass at least one valid token
  for a login already associated with that identity"); a signed call (GetOpenIdTokenForDeveloperIdentity) may
  add logins to any identity of the pool.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from userpool.context import Ctx
from userpool.errors import DeveloperUserAlreadyRegisteredException, NotAuthorizedException, ResourceConflictException
from userpool.model.identity_pools import Identity, IdentityLogin, IdentityPool, new_identity_id
from userpool.services.identity_pools.steps.logins import VerifiedLogin, verified_logins
from userpool.services.identity_pools.steps.records import (
    identity_in_pool,
    identity_or_404,
    identity_pool_or_404,
    usable,
)
from userpool.store.base import Conflict, Tx

LOGINS_DONT_MATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."
UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
_ATTEMPTS = 3


def _public(pool: IdentityPool, provider: str) -> bool:
    return provider != pool.developer_provider


def _check_one_per_provider(
    pool: IdentityPool, target: Identity, have: list[IdentityLogin], adding: str, subject: str
) -> None:
    for login in have:
        if login.provider == adding and login.subject != subject and _public(pool, adding):
            raise ResourceConflictException(
                f"A login of {adding} for another user is already linked to identity '{target.id}'."
            )


def _link(
    ctx: Ctx,
    tx: Tx,
    pool: IdentityPool,
    logins: Sequence[VerifiedLogin],
    identity_id: str | None,
    signed: bool,
) -> Identity:
    found = [tx.identities.login(pool.id, login.provider, login.subject) for login in logins]
    given = usable(identity_in_pool(tx, pool, identity_id, for_update=True)) if identity_id else None
    if given is not None and not signed:
        own = tx.identities.logins_of([given.id])[given.id]
        if own and not any(f is not None and f.identity_id == given.id for f in found):
            raise NotAuthorizedException(LOGINS_DONT_MATCH)
    if signed and given is not None and pool.developer_provider:
        for login, linked in zip(logins, found, strict=True):
            if login.provider == pool.developer_provider and linked is not None and linked.identity_id != given.id:
                raise DeveloperUserAlreadyRegisteredException(
                    "This developer user identifier is already registered with Cognito."
                )
    owners = list(dict.fromkeys(f.identity_id for f in found if f is not None))
    if owners:
        target = usable(identity_in_pool(tx, pool, owners[0], for_update=True))
    elif given is not None:
        target = given
    else:
        target = Identity(new_identity_id(pool.region), pool.id, ctx.now, ctx.now)
        tx.identities.add(target)
    merged = owners[1:] + ([given.id] if given is not None and given.id not in owners else [])
    have = tx.identities.logins_of([target.id])[target.id]
    changed = False
    for source_id in dict.fromkeys(m for m in merged if m != target.id):
        for moved in tx.identities.logins_of([source_id])[source_id]:
            _check_one_per_provider(pool, target, have, moved.provider, moved.subject)
            have.append(moved)
        tx.identities.move_logins(source_id, target.id)
        source = identity_in_pool(tx, pool, source_id, for_update=True)
        tx.identities.update(dataclasses.replace(source, disabled=True, updated_at=ctx.now))
        changed = True
    for login, linked in zip(logins, found, strict=True):
        if linked is None:
            _check_one_per_provider(pool, target, have, login.provider, login.subject)
            added = IdentityLogin(pool.id, login.provider, login.subject, target.id, ctx.now)
            tx.identities.add_login(added)
            have.append(added)
            changed = True
    if changed and target.updated_at != ctx.now:
        target = dataclasses.replace(target, updated_at=ctx.now)
        tx.identities.update(target)
    return target


def linked_identity(
    ctx: Ctx,
    pool_id: str,
    logins: Sequence[VerifiedLogin],
    identity_id: str | None = None,
    signed: bool = False,
) -> tuple[IdentityPool, Identity]:
    """The pool and the identity ``logins`` (and ``identity_id``) belong to, after linking and merging as the
    module says, in one write transaction (tried again when a racing request linked one of the logins first)."""
    for attempt in range(_ATTEMPTS):
        try:
            with ctx.store.write() as tx:
                pool = identity_pool_or_404(tx, pool_id)
                return pool, _link(ctx, tx, pool, logins, identity_id, signed)
        except Conflict:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def new_guest(ctx: Ctx, pool: IdentityPool) -> Identity:
    """A new unauthenticated identity of ``pool``."""
    while True:
        identity = Identity(new_identity_id(pool.region), pool.id, ctx.now, ctx.now)
        try:
            with ctx.store.write() as tx:
                identity_pool_or_404(tx, pool.id)
                tx.identities.add(identity)
            return identity
        except Conflict:
            continue  # a GUID collided; draw another


def identity_of_request(
    ctx: Ctx, identity_id: str, logins: dict[str, str]
) -> tuple[IdentityPool, Identity, list[VerifiedLogin]]:
    """The pool and identity a public call for ``identity_id`` (GetOpenIdToken, GetCredentialsForIdentity) acts
    for, with the logins it proved: without Logins, a guest identity of a pool that allows guests; with them,
    the identity they belong to once linked and merged ("the identity ID that you pass in may not be the one that
    is returned")."""
    with ctx.store.read() as tx:
        identity = usable(identity_or_404(tx, identity_id))
        pool = identity_pool_or_404(tx, identity.pool_id)
        own = tx.identities.logins_of([identity.id])[identity.id]
    if not logins:
        if own:
            # "It is not possible to get an unauthenticated token for authenticated or disabled identities."
            raise NotAuthorizedException(LOGINS_DONT_MATCH)
        if not pool.allows_guests:
            raise NotAuthorizedException(UNAUTHENTICATED_NOT_SUPPORTED)
        return pool, identity, []
    verified = verified_logins(ctx, pool, logins)
    pool, identity = linked_identity(ctx, pool.id, verified, identity.id)
    return pool, identity, verified
