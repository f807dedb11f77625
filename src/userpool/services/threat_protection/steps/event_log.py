"""Recording users' auth events: the one place an event is written, so that whatever else must see every
event (a log sink) can be added here.

Events are recorded only while the pool's AdvancedSecurityMode is AUDIT or ENFORCED (Cognito developer guide:
'Viewing and exporting user event history'), and kept for ``auth_event_retention_days`` (Cognito keeps them
two years); older ones are deleted now and then (services/housekeeping.py).
"""

from __future__ import annotations

from userpool.context import Ctx
from userpool.errors import UserPoolAddOnNotEnabledException
from userpool.model.auth_events import AuthEvent
from userpool.model.pool_config import advanced_security_mode
from userpool.model.records import Pool
from userpool.services import housekeeping
from userpool.store.base import Tx

DAY_SECONDS = 86_400.0
# [unverified]: Cognito's wording for a pool whose threat protection is off.
ADD_ON_NOT_ENABLED = "Advanced security features are not enabled for this user pool."


def protected(pool: Pool) -> bool:
    """Whether the pool records and assesses auth events (AdvancedSecurityMode AUDIT or ENFORCED)."""
    return advanced_security_mode(pool) != "OFF"


def require_protection(pool: Pool) -> None:
    """UserPoolAddOnNotEnabledException unless threat protection is on for the pool."""
    if not protected(pool):
        raise UserPoolAddOnNotEnabledException(ADD_ON_NOT_ENABLED)


def record(ctx: Ctx, tx: Tx, event: AuthEvent, *, new: bool) -> None:
    """Write ``event`` in the caller's transaction: a new one, or a later state of one recorded before."""
    if new:
        tx.auth_events.add(event)
    else:
        tx.auth_events.update(event)
    if housekeeping.due("auth_events", ctx.now):
        tx.auth_events.delete_expired(ctx.now - ctx.settings.auth_event_retention_days * DAY_SECONDS)
