"""Deleting expired rows off the hot path (docs/architecture.md, Hot-path rules).

Expired challenge Sessions, codes and sign-in sessions are refused by every read that finds them (each
checks ``expires_at``), so deleting them is only about space: it need not happen on every sign-in. Each
process does a table-wide clean-up at most once per ``INTERVAL_SECONDS`` of request time, and prunes a
user's own expired sign-in sessions on one sign-in in ``USER_PRUNE_ONE_IN``. Nothing here is shared
between processes or instances, and nothing needs to be: a clean-up that runs twice deletes nothing twice.
"""

from __future__ import annotations

import secrets
import threading

INTERVAL_SECONDS = 30.0
USER_PRUNE_ONE_IN = 8

_lock = threading.Lock()
_last: dict[str, float] = {}


def due(task: str, now: float) -> bool:
    """True when ``task`` has not run in this process within the last ``INTERVAL_SECONDS`` (a clock that went
    backwards, as a test's may, counts as due)."""
    with _lock:
        last = _last.get(task)
        if last is not None and last <= now < last + INTERVAL_SECONDS:
            return False
        _last[task] = now
        return True


def prune_user_now() -> bool:
    """Whether this sign-in prunes its user's expired sign-in sessions."""
    return secrets.randbelow(USER_PRUNE_ONE_IN) == 0
