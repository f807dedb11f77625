"""Challenge Sessions for a username that names no user, where the client hides which users exist
(PreventUserExistenceErrors ENABLED; AWS, "Managing user existence error responses").

CUSTOM_AUTH then runs its triggers with ``userNotFound: true`` and USER_AUTH offers choices as for a real
user, so such a sign-in needs Sessions too; yet no challenge row can name a user that is not there. Their
state is kept with the name's other stand-in records (services/users/steps/stand_ins.py), by the Session's digest, until
it expires. The value looks like a real Session's — 48 random-looking bytes, 64 characters — so that neither
its form nor its length tells who exists: its last 16 bytes are a MAC of the first 32 under a key derived
from the server secret, by which the server alone tells it from a real one and knows where to look it up.
Nothing such a Session leads to can ever sign anyone in; it is used up where a real one would be.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.model.client_config import auth_session_seconds
from userpool.model.records import Client
from userpool.services.users.steps.stand_ins import forget_expired

_BODY = 32
_TAG = 16


@lru_cache(maxsize=4)
def _key(server_key: bytes) -> bytes:
    return hashlib.sha256(b"userpool-unknown-user-session:" + server_key).digest()


def _tag(ctx: Ctx, body: bytes) -> bytes:
    return hmac.new(_key(ctx.deps.code_key), body, hashlib.sha256).digest()[:_TAG]


def _is_unknown(ctx: Ctx, session: str | None) -> bool:
    """Whether ``session`` is a value this module handed out (whatever became of it since)."""
    if not session or len(session) != 4 * (_BODY + _TAG) // 3:
        return False
    try:
        raw = base64.urlsafe_b64decode(session.encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return False
    return hmac.compare_digest(raw[_BODY:], _tag(ctx, raw[:_BODY]))


def issue_unknown(ctx: Ctx, client: Client, challenge: str, state: dict[str, Any]) -> str:
    """A new Session of ``challenge`` issued to ``client``, carrying ``state``, written down as a real one is
    (in a write transaction of its own, as challenge_sessions.py open_challenge writes one)."""
    body = secrets.token_bytes(_BODY)
    value = base64.urlsafe_b64encode(body + _tag(ctx, body)).decode("ascii")
    record = {"client": client.id, "challenge": challenge, "state": state}
    with ctx.store.write() as tx:
        forget_expired(ctx, tx)
        tx.stand_ins.add_session(client.pool_id, digest(value), record, ctx.now + auth_session_seconds(client))
    return value


def _live(ctx: Ctx, client: Client, record: dict[str, Any] | None, challenge: str) -> dict[str, Any] | None:
    if record is None or record.get("client") != client.id or record.get("challenge") != challenge:
        return None
    state = record.get("state")
    return state if isinstance(state, dict) else None


def open_unknown(ctx: Ctx, client: Client, session: str | None, challenge: str) -> dict[str, Any] | None:
    """The state of a live unknown-user Session of ``challenge`` issued to ``client``, or None when
    ``session`` is not one (not ours, used up, expired, or another client's or challenge's)."""
    if not _is_unknown(ctx, session):
        return None
    assert session is not None
    with ctx.store.read() as tx:
        record = tx.stand_ins.session(client.pool_id, digest(session), ctx.now)
    return _live(ctx, client, record, challenge)


def take_unknown(ctx: Ctx, client: Client, session: str | None, challenge: str) -> dict[str, Any] | None:
    """open_unknown, and the Session used up: presented again, it is refused as a real one would be."""
    if not _is_unknown(ctx, session):
        return None
    assert session is not None
    with ctx.store.write() as tx:
        record = tx.stand_ins.session(client.pool_id, digest(session), ctx.now)
        state = _live(ctx, client, record, challenge)
        if state is not None:
            tx.stand_ins.consume_session(client.pool_id, digest(session))
    return state
