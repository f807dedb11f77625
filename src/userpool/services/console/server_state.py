"""What the admin console shows about the server beyond the Cognito operations: the newest outgoing
messages (the outbox, as ``userpool outbox`` prints it) and a pool's published signing keys."""

from __future__ import annotations

from dataclasses import dataclass

from userpool.context import Ctx
from userpool.model.records import OutboxEntry
from userpool.services.lookup.records import pool_or_404
from userpool.services.tokens.steps.signing_keys import current_kids


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One published signing key: ``current`` signs new tokens; a previous one verifies until ``expires_at``."""

    kid: str
    token_use: str
    algorithm: str
    current: bool
    expires_at: float | None


def recent_messages(ctx: Ctx, limit: int) -> list[OutboxEntry]:
    """The newest outgoing messages without their text: an operator sees who was sent what, not the codes."""
    with ctx.store.read() as tx:
        return tx.outbox.recent(limit)


def signing_key_rows(ctx: Ctx, pool_id: str) -> list[KeyRow]:
    """The pool's keys as its JWKS publishes them, newest first (the first pair is made if there is none)."""
    with ctx.store.read() as tx:
        pool_or_404(tx, pool_id)
    current = set(current_kids(ctx, pool_id).values())
    with ctx.store.read() as tx:
        keys = tx.signing_keys.published(pool_id, ctx.now)
    return [
        KeyRow(k.kid, k.token_use, str(k.public_jwk.get("alg", "RS256")), k.kid in current, k.expires_at) for k in keys
    ]
