"""Stand-ins: what a name no user has is given where the app client hides which users exist
(PreventUserExistenceErrors ENABLED; AWS, "Managing user existence error responses").

Such a name must be answered as a real user would be, not only in each answer but across a series of them:
wrong passwords lock it out, ForgotPassword and ResendConfirmationCode reach the hourly cap, and
ConfirmForgotPassword tells a code asked for from none. So each name has a stand-in sub — UUID-shaped like a
real one, derived from the pool and the name (as lookups normalise it) under a key from the server secret,
hence the same on every worker and instance and, without the secret, not to be told from a random one — and
the records a user would have are kept under it: the lockout counter, the codes (never sent, never right).
They live in the database like a user's, so that every worker and instance sees them, in a table of their
own (no user row backs them), with the challenges simulated for such names, written down as real ones are
so as to cost what they do. A record holds no more than a user's would and is forgotten once it can no
longer change an answer (within half an hour of a name's last sign-in attempt, an hour of its last code),
so the table holds the names tried lately, not every name ever tried.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto.codes import code_hash, new_code
from userpool.model.codes import WINDOW_SECONDS, issue
from userpool.model.destinations import Channel
from userpool.model.messages import NO_OVERRIDE, code_message, outbox_message
from userpool.model.records import Client, Pool, User
from userpool.model.usernames import normalise
from userpool.services import housekeeping
from userpool.services.lookup.app_clients import app_client
from userpool.services.users.steps.code_delivery import check_found_code, deliver, prepare, send_code
from userpool.store.base import Tx
from userpool.triggers.sources import MessageEvent

Recheck = Callable[[Tx, Pool, Client, str], tuple[User, Channel] | None]
"""Finds, inside the writing transaction, the user a code is for and where it goes; None if there is none."""


def stand_in_sub(ctx: Ctx, pool: Pool, username: str) -> str:
    """The stand-in sub of ``username`` in ``pool``."""
    message = f"stand-in\x1f{pool.id}\x1f{normalise(pool, username)}".encode("utf-8", "surrogatepass")
    digest = hmac.new(ctx.deps.code_key, message, hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def forget_expired(ctx: Ctx, tx: Tx) -> None:
    """Delete the records that no longer matter, now and then (services/housekeeping.py)."""
    if housekeeping.due("user_stand_ins", ctx.now):
        tx.stand_ins.delete_expired(ctx.now)


def issue_code(ctx: Ctx, tx: Tx, pool: Pool, username: str, purpose: str, delivery: Mapping[str, str]) -> None:
    """Count a code issued to ``username`` as send_code counts one issued to a user (LimitExceededException
    past the hourly cap), doing the same work: the code row, and the message to ``delivery`` (the simulated
    CodeDeliveryDetails) written to the outbox, but rolled back, so that nothing is sent. The code kept is
    one no one was given (not six digits), so no guess is ever right; and since only its hourly counters and
    its expiry can show, it is kept no longer than the hour."""
    sub = stand_in_sub(ctx, pool, username)
    codes = tx.stand_ins.codes
    forget_expired(ctx, tx)
    stored = issue(
        codes.get(pool.id, sub, purpose, for_update=True),
        pool_id=pool.id,
        sub=sub,
        purpose=purpose,
        code_hash=code_hash(ctx.deps.code_key, pool.id, sub, purpose, secrets.token_hex(16)),
        attribute=delivery["AttributeName"],
        now=ctx.now,
    )
    codes.put(replace(stored, expires_at=min(stored.expires_at, ctx.now + WINDOW_SECONDS)))
    medium = delivery["DeliveryMedium"]
    message = code_message(pool, medium, new_code(), NO_OVERRIDE)
    with tx.rolled_back():
        tx.outbox.add(outbox_message(pool, medium, delivery["Destination"], message), ctx.now)


def check_code(ctx: Ctx, tx: Tx, pool: Pool, username: str, purpose: str, given: str) -> None:
    """Check ``given`` against ``username``'s code as code_delivery.check_code checks a user's: ExpiredCode
    without a live one, LimitExceeded past the cap, otherwise the wrong entry is recorded in ``tx`` (let it
    commit, then raise CodeMismatchException). No guess matches a code no one was given."""
    sub = stand_in_sub(ctx, pool, username)
    codes = tx.stand_ins.codes
    check_found_code(ctx, codes, codes.get(pool.id, sub, purpose, for_update=True), given)


def send_code_or_stand_in(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    username: str,
    found: tuple[User, Channel] | None,
    *,
    purpose: str,
    event: MessageEvent,
    simulated: dict[str, Any],
    metadata: Mapping[str, Any] | None,
    recheck: Recheck,
) -> dict[str, Any]:
    """The answer of an operation that sends a user a code (ResendConfirmationCode, ForgotPassword): the
    code, to the user ``found``; or, where there is no such user to tell apart, the name's stand-in code,
    counted and written as a user's would be and sent nowhere, answered with the ``simulated`` details.

    CustomMessage writes the message first, outside any transaction; the transaction that issues the code
    finds the user again (``recheck``), since it may have changed meanwhile.
    """
    outgoing = None
    if found is not None:
        outgoing = prepare(ctx, pool, found[0], event, client_id=client.id, client_metadata=metadata)
    with ctx.store.write() as tx:
        pool, client = app_client(tx, client.id)
        again = recheck(tx, pool, client, username)
        if again is None or outgoing is None:
            issue_code(ctx, tx, pool, username, purpose, simulated)
            return {"CodeDeliveryDetails": simulated}
        user, channel = again
        details = send_code(ctx, tx, pool, user, purpose, channel, outgoing=outgoing)
    deliver(ctx, outgoing)
    return {"CodeDeliveryDetails": details}
