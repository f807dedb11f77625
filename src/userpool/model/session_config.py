"""A pool's session management settings (Cognito developer guide: 'Managing user sessions'; API reference:
SetUserPoolSessionConfiguration, SetUserPoolClientSessionConfiguration).

- ``UserSessionTracking``: whether sessions are tracked (listed, revoked one by one, limited per user); off by
  default.
- ``TokenSession.MaxPerUser``: at most this many live token sessions per user, 20 by default; a sign-in beyond it
  first revokes the user's least recently used one. Lowering it evicts nobody until the user's next sign-in.
- Per app client, ``SSOSession.MaxValidityMinutes``: for how long after the user's last fresh authentication the
  client silently reuses the browser's hosted session, 60 by default, 0 never. Kept while tracking is off,
  dormant until it is on again.

AWS offers session management on the Essentials and Plus feature plans only; here, as threat protection and log
delivery, it works on any plan (UserPoolTier is kept and shown, and gates nothing).

Both live in the pool's configuration document under names of their own (``UserSessionConfiguration``, and
``ClientSessionConfigurations`` by client id), no members of UserPoolType: DescribeUserPool does not show them
and UpdateUserPool keeps them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from userpool.errors import OperationNotEnabledException
from userpool.model.records import Pool

POOL_STORED = "UserSessionConfiguration"
CLIENTS_STORED = "ClientSessionConfigurations"
ENABLED = "ENABLED"
DISABLED = "DISABLED"
DEFAULT_MAX_PER_USER = 20
DEFAULT_SSO_MINUTES = 60


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """The pool's session management: whether it tracks sessions, and how many token sessions a user keeps."""

    tracking: bool
    max_per_user: int


def settings(pool: Pool) -> SessionSettings:
    stored = pool.config.get(POOL_STORED) or {}
    max_per_user = (stored.get("TokenSession") or {}).get("MaxPerUser", DEFAULT_MAX_PER_USER)
    return SessionSettings(stored.get("UserSessionTracking") == ENABLED, int(max_per_user))


def tracking(pool: Pool) -> bool:
    """Whether the pool tracks sessions (UserSessionTracking ENABLED)."""
    return settings(pool).tracking


def pool_wire(pool: Pool) -> dict[str, Any]:
    """Get/SetUserPoolSessionConfigurationResponse."""
    found = settings(pool)
    return {
        "UserPoolId": pool.id,
        "UserSessionTracking": ENABLED if found.tracking else DISABLED,
        "TokenSession": {"MaxPerUser": found.max_per_user},
    }


def not_enabled(pool_id: str) -> OperationNotEnabledException:
    return OperationNotEnabledException(f"Session tracking is not enabled for user pool {pool_id}.")


def require_tracking(pool: Pool) -> None:
    """OperationNotEnabledException where the pool does not track sessions."""
    if not tracking(pool):
        raise not_enabled(pool.id)


def with_pool_settings(config: dict[str, Any], tracking_on: bool, max_per_user: int) -> dict[str, Any]:
    """``config`` with this session management (SetUserPoolSessionConfiguration: a full replacement)."""
    return {
        **config,
        POOL_STORED: {
            "UserSessionTracking": ENABLED if tracking_on else DISABLED,
            "TokenSession": {"MaxPerUser": max_per_user},
        },
    }


def sso_minutes(pool: Pool, client_id: str) -> int:
    """The client's SSOSession.MaxValidityMinutes."""
    stored = (pool.config.get(CLIENTS_STORED) or {}).get(client_id) or {}
    return int(stored.get("MaxValidityMinutes", DEFAULT_SSO_MINUTES))


def client_wire(pool: Pool, client_id: str) -> dict[str, Any]:
    """Get/SetUserPoolClientSessionConfigurationResponse."""
    return {
        "UserPoolId": pool.id,
        "ClientId": client_id,
        "SSOSession": {"MaxValidityMinutes": sso_minutes(pool, client_id)},
    }


def with_client_settings(config: dict[str, Any], client_id: str, minutes: int | None) -> dict[str, Any]:
    """``config`` with the client's SSO session validity set (None: forgotten, as when the client is deleted)."""
    clients = dict(config.get(CLIENTS_STORED) or {})
    if minutes is None:
        clients.pop(client_id, None)
    else:
        clients[client_id] = {"MaxValidityMinutes": minutes}
    updated = {k: v for k, v in config.items() if k != CLIENTS_STORED}
    if clients:
        updated[CLIENTS_STORED] = clients
    return updated


def sso_reusable(pool: Pool, client_id: str, auth_time: float, now: float) -> bool:
    """Whether ``client_id`` may silently reuse a hosted session whose user authenticated at ``auth_time``: always
    while the pool does not track sessions, else within the client's SSO session validity."""
    if not tracking(pool):
        return True
    minutes = sso_minutes(pool, client_id)
    return minutes > 0 and now - auth_time <= minutes * 60


def stored(config: dict[str, Any]) -> dict[str, Any]:
    """The session management members of a configuration document: what UpdateUserPool carries over."""
    return {k: copy.deepcopy(config[k]) for k in (POOL_STORED, CLIENTS_STORED) if config.get(k)}
