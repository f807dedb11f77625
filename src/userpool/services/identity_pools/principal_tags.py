"""SetPrincipalTagAttributeMap and GetPrincipalTagAttributeMap: which claims of a provider's tokens become the
principal tags of an identity's sessions (Cognito developer guide: 'Using attributes for access control').

The mappings are kept with the pool's configuration, by provider name (model/identity_pools.py); the OpenID
tokens of a login from that provider carry the tags in ``https://aws.amazon.com/tags``, from which STS makes
session tags. ``UseDefaults`` maps ``username`` to the ID token's ``sub`` and ``client`` to its ``aud``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.model.identity_pools import DEFAULT_PRINCIPAL_TAGS, principal_tag_map, with_principal_tag_map
from userpool.services.identity_pools.steps.records import identity_pool_or_404


def set_principal_tag_attribute_map(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetPrincipalTagAttributeMap: replaces the provider's mapping."""
    provider = req["IdentityProviderName"]
    use_defaults = bool(req.get("UseDefaults", False))
    tags = dict(DEFAULT_PRINCIPAL_TAGS) if use_defaults else dict(req.get("PrincipalTags", {}))
    mapping = {"UseDefaults": use_defaults, "PrincipalTags": tags}
    with ctx.store.write() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"], for_update=True)
        config = with_principal_tag_map(pool, provider, mapping)
        tx.identity_pools.update(dataclasses.replace(pool, config=config, updated_at=ctx.now))
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, **mapping}


def get_principal_tag_attribute_map(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetPrincipalTagAttributeMap."""
    provider = req["IdentityProviderName"]
    with ctx.store.read() as tx:
        pool = identity_pool_or_404(tx, req["IdentityPoolId"])
    return {"IdentityPoolId": pool.id, "IdentityProviderName": provider, **principal_tag_map(pool, provider)}
