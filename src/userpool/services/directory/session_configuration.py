"""Session management settings: GetUserPoolSessionConfiguration, SetUserPoolSessionConfiguration,
GetUserPoolClientSessionConfiguration, SetUserPoolClientSessionConfiguration (API reference; Cognito developer
guide: 'Managing user sessions'). The rules are in model/session_config.py; what tracking does is in
services/tokens/ (steps/session_tracking.py, user_sessions.py) and services/hosted/login_sessions.py.

Both are full replacements, on any feature plan; a client's setting needs the pool to track sessions. They are
kept beside the pool's configuration: its LastModifiedDate stays."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Ctx
from userpool.model import session_config
from userpool.services.lookup.records import client_or_404, pool_or_404


def get_user_pool_session_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolSessionConfiguration: DISABLED and 20 sessions per user until set."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
    return session_config.pool_wire(pool)


def set_user_pool_session_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetUserPoolSessionConfiguration: turn session tracking on or off and set MaxPerUser."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        tracking = req["UserSessionTracking"] == session_config.ENABLED
        config = session_config.with_pool_settings(pool.config, tracking, req["TokenSession"]["MaxPerUser"])
        pool = dataclasses.replace(pool, config=config)
        tx.pools.update(pool)
    return session_config.pool_wire(pool)


def get_user_pool_client_session_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetUserPoolClientSessionConfiguration: 60 minutes of silent SSO reuse until set."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        client = client_or_404(tx, pool.id, req["ClientId"])
    return session_config.client_wire(pool, client.id)


def set_user_pool_client_session_configuration(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetUserPoolClientSessionConfiguration: how long after the user's last authentication the client silently
    reuses the browser's hosted session."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"], for_update=True)
        client = client_or_404(tx, pool.id, req["ClientId"])
        session_config.require_tracking(pool)
        minutes = req["SSOSession"]["MaxValidityMinutes"]
        pool = dataclasses.replace(pool, config=session_config.with_client_settings(pool.config, client.id, minutes))
        tx.pools.update(pool)
    return session_config.client_wire(pool, client.id)
