"""Challenge Sessions for a username that names no user, where the client hides which users exist
(PreventUserExistenceErrors ENABLED; spec quotas-and-errors §4).

CUSTOM_AUTH then runs its triggers with ``userNotFound: true`` and USER_AUTH offers choices as for a real
user, so such a sign-in needs Sessions too; yet no challenge row can name a user that is not there. Its
state is sealed into the Session value instead (AES-GCM under a key derived from the server secret, bound to
the client), with its expiry. Nothing such a Session leads to can ever sign anyone in, so that it can be
presented twice does not matter.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from userpool.context import Ctx
from userpool.crypto.sealing import Sealer, SealError
from userpool.model.client_config import DEFAULT_AUTH_SESSION_MINUTES
from userpool.model.records import Client

# The model's SessionType allows no more.
MAX_SESSION_LENGTH = 4096


@lru_cache(maxsize=4)
def _sealer(server_key: bytes) -> Sealer:
    return Sealer((hashlib.sha256(b"userpool-unknown-user-session:" + server_key).hexdigest(),))


def seal_unknown(ctx: Ctx, client: Client, challenge: str, state: dict[str, Any]) -> str | None:
    """The Session value for ``challenge`` carrying ``state``; None when it would be longer than a Session
    may be."""
    minutes = int(client.config.get("AuthSessionValidity") or DEFAULT_AUTH_SESSION_MINUTES)
    body = {"challenge": challenge, "exp": ctx.now + minutes * 60, "state": state}
    sealed = _sealer(ctx.deps.code_key).seal(json.dumps(body, separators=(",", ":")), f"session:{client.id}")
    return sealed if len(sealed) <= MAX_SESSION_LENGTH else None


def open_unknown(ctx: Ctx, client: Client, session: str | None, challenge: str) -> dict[str, Any] | None:
    """The state of a live unknown-user Session of ``challenge`` issued to ``client``, or None when
    ``session`` is not one."""
    if not session or not session.startswith("v1."):
        return None
    try:
        body = json.loads(_sealer(ctx.deps.code_key).unseal(session, f"session:{client.id}"))
    except (SealError, ValueError, UnicodeError):
        return None
    if not isinstance(body, dict) or body.get("challenge") != challenge:
        return None
    if not isinstance(body.get("exp"), (int, float)) or body["exp"] <= ctx.now:
        return None
    state = body.get("state")
    return state if isinstance(state, dict) else None
