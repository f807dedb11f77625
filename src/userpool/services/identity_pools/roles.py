"""SetIdentityPoolRoles and GetIdentityPoolRoles: a pool's default roles and its role mappings (Cognito developer
guide: 'Role-based access control'; the rules are model/identity_roles.py's)."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.model.identity_roles import checked_roles
from userpool.services.identity_pools.steps.records import identity_pool_or_404


def set_identity_pool_roles(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetIdentityPoolRoles: replaces the pool's Roles and RoleMappings (none sent: none kept)."""
    with ctx.store.write() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"], for_update=True)
        roles = checked_roles(pool, dict(req["Roles"]), dict(req.get("RoleMappings", {})))
        tx.identity_pools.update(dataclasses.replace(pool, roles=roles, updated_at=ctx.now))
    return {}


def get_identity_pool_roles(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetIdentityPoolRoles."""
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
    body: dict[str, Any] = {"IdentityPoolId": pool.id, "Roles": dict(pool.roles.get("Roles", {}))}
    if pool.roles.get("RoleMappings"):
        body["RoleMappings"] = pool.roles["RoleMappings"]
    return body
