"""SetRiskConfiguration and DescribeRiskConfiguration: a pool's threat protection configuration, or one app
client's, which replaces the pool's for sign-ins through that client (AWS: SetRiskConfiguration,
DescribeRiskConfiguration API references).

A configuration may be set whatever the pool's AdvancedSecurityMode; it acts only while the mode is AUDIT
(recorded and assessed) or ENFORCED (acted on).
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.model import risk_configuration
from userpool.model.pool_config import without_nulls
from userpool.model.risk_configuration import ALL_CLIENTS, RiskConfiguration, is_pool_level
from userpool.services.lookup.records import client_or_404, pool_or_404
from userpool.store.base import Tx


def _client_key(tx: Tx, pool_id: str, client_id: str | None) -> str | None:
    """The stored key of a request's ClientId: None for the pool's configuration ("ALL" or none), else the
    client's id, which must name a client of the pool."""
    if is_pool_level(client_id):
        return None
    assert client_id is not None
    return client_or_404(tx, pool_id, client_id).id


def set_risk_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetRiskConfiguration: store the configuration for the pool or the client; a request that sets nothing
    resets it (the pool's to none, a client's to the pool's)."""
    req = without_nulls(req)
    config = risk_configuration.checked(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        key = _client_key(tx, pool.id, req.get("ClientId"))
        if not config:
            tx.risk_configurations.delete(pool.id, key)
            body = risk_configuration.wire(pool.id, req.get("ClientId"), None)
            return {"RiskConfiguration": {**body, "LastModifiedDate": ctx.now}}
        stored = RiskConfiguration(pool.id, key, config, ctx.now)
        tx.risk_configurations.put(stored)
    return {"RiskConfiguration": risk_configuration.wire(pool.id, req.get("ClientId"), stored)}


def describe_risk_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """DescribeRiskConfiguration: the pool's configuration, or the client's; for a client without one of its
    own, the pool's, which is what applies to it, marked ClientId "ALL"."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        key = _client_key(tx, pool.id, req.get("ClientId"))
        stored = tx.risk_configurations.for_client(pool.id, key)
    if key is None:
        return {"RiskConfiguration": risk_configuration.wire(pool.id, req.get("ClientId"), stored)}
    shown = key if stored is not None and stored.client_id == key else ALL_CLIENTS
    return {"RiskConfiguration": risk_configuration.wire(pool.id, shown, stored)}
