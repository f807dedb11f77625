"""SetLogDeliveryConfiguration and GetLogDeliveryConfiguration: where a pool exports its message-delivery
errors and its threat protection user activity (Cognito developer guide: 'Exporting logs from Amazon
Cognito user pools').

The rules are in ``model.log_delivery``; the configuration is kept in the pool's configuration document.
Which sink on this server stands for each destination ARN is the operator's setting (README "Log delivery").
"""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.model import log_delivery, pool_config
from userpool.services.lookup.records import pool_or_404


def set_log_delivery_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetLogDeliveryConfiguration: replace the pool's log configurations (an empty list turns export off)."""
    req = pool_config.without_nulls(req)
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        entries = log_delivery.checked(req["LogConfigurations"])
        # Logging is configured beside the pool, not in it: the pool's LastModifiedDate stays [unverified].
        tx.pools.update(dataclasses.replace(pool, config=log_delivery.with_configurations(pool.config, entries)))
    return {"LogDeliveryConfiguration": log_delivery.wire(pool.id, entries)}


def get_log_delivery_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetLogDeliveryConfiguration."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
    return {"LogDeliveryConfiguration": log_delivery.wire(pool.id, log_delivery.configurations(pool))}
