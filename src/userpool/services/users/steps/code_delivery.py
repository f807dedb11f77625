"""Sending a one-time code and checking one, for the operations that use them: SignUp,
ResendConfirmationCode, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword.

Cognito developer guide: 'Configuring email or phone verification'. The code leaves this module only inside the outbox
message (or, with a CustomEmailSender / CustomSMSSender trigger, in that function's event after commit); the store keeps
its keyed hash (crypto/codes.py) and the attempt counters (model/codes.py).

Message triggers never run inside the transaction that issues the code (docs/architecture.md, Storage): ``prepare`` runs
CustomMessage before it, ``send_code`` uses the answer inside it, ``deliver`` hands the message on after
commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.context import Ctx
from userpool.crypto.codes import code_hash, code_matches, new_code
from userpool.model.codes import SIGNUP, OneTimeCode, after_failure, issue, usable
from userpool.model.destinations import Channel, delivery_details
from userpool.model.messages import (
    NO_OVERRIDE,
    MessageOverride,
    Rendered,
    code_message,
    confirmation_link,
    confirms_with_link,
    link_message,
    outbox_message,
)
from userpool.model.records import Pool, User
from userpool.model.vocabulary import DeliveryMedium
from userpool.services.directory.domains import pages_url
from userpool.store.base import CodeRepo, Tx
from userpool.triggers import custom_sender
from userpool.triggers.custom_message import custom_message
from userpool.triggers.sources import MessageEvent


@dataclass(frozen=True, slots=True)
class _HandedOver:
    pool: Pool
    user: User
    medium: str
    code: str


@dataclass(frozen=True, slots=True)
class Outgoing:
    """The messages of one operation: the CustomMessage templates chosen before its transaction, and the
    codes a custom sender function takes after commit (collected while the transaction runs)."""

    event: MessageEvent
    client_id: str | None = None
    client_metadata: Mapping[str, Any] = field(default_factory=dict)
    override: MessageOverride = NO_OVERRIDE
    handed_over: list[_HandedOver] = field(default_factory=list)

    def takes(self, pool: Pool, medium: str, user: User, code: str) -> bool:
        """Keep ``code`` for the pool's custom sender of ``medium``, if it has one (else the outbox sends it)."""
        if not custom_sender.sends(pool, medium):
            return False
        self.handed_over.append(_HandedOver(pool, user, medium, code))
        return True


def prepare(
    ctx: Ctx,
    pool: Pool,
    user: User,
    event: MessageEvent,
    *,
    client_id: str | None,
    client_metadata: Mapping[str, Any] | None,
) -> Outgoing:
    """Run the pool's CustomMessage trigger for ``user``'s ``event`` message; call it outside any transaction."""
    override = custom_message(ctx.triggers, pool, user, event, client_id=client_id, client_metadata=client_metadata)
    return Outgoing(event, client_id, dict(client_metadata or {}), override)


def deliver(ctx: Ctx, outgoing: Outgoing) -> None:
    """After commit: wake the outbox, and start the custom sender functions for the codes they take."""
    ctx.deps.wake_outbox()
    for item in outgoing.handed_over:
        custom_sender.hand_over(
            ctx.triggers,
            item.pool,
            item.user,
            item.medium,
            outgoing.event,
            item.code,
            client_id=outgoing.client_id,
            client_metadata=outgoing.client_metadata,
        )


def send_code(
    ctx: Ctx,
    tx: Tx,
    pool: Pool,
    user: User,
    purpose: str,
    channel: Channel,
    *,
    capped: bool = True,
    outgoing: Outgoing | None = None,
) -> dict[str, Any]:
    """Replace the user's code for ``purpose`` with a new one, queue it to ``channel`` with the pool's
    verification template (or the one ``outgoing`` carries from CustomMessage), and return the
    CodeDeliveryDetails. Commit, then ``deliver(outgoing)`` (or wake the outbox without one)."""
    now = ctx.now
    code = new_code()
    stored = issue(
        tx.codes.get(pool.id, user.sub, purpose, for_update=True),
        pool_id=pool.id,
        sub=user.sub,
        purpose=purpose,
        code_hash=code_hash(ctx.deps.code_key, pool.id, user.sub, purpose, code),
        attribute=channel.attribute,
        now=now,
        capped=capped,
    )
    tx.codes.put(stored)
    if outgoing is None or not outgoing.takes(pool, channel.medium, user, code):
        message = _message(ctx, tx, pool, user, purpose, channel, code, outgoing)
        tx.outbox.add(outbox_message(pool, channel.medium, channel.address, message), now)
    return delivery_details(channel.attribute, channel.address)


def _message(
    ctx: Ctx, tx: Tx, pool: Pool, user: User, purpose: str, channel: Channel, code: str, outgoing: Outgoing | None
) -> Rendered:
    """The code's message: the verification template, or for a sign-up confirmation email in a pool that
    confirms with a link (DefaultEmailOption CONFIRM_WITH_LINK) the link template, its link opening the pool
    domain's ``/confirmUser`` for the client that signed the user up."""
    override = outgoing.override if outgoing is not None else NO_OVERRIDE
    client_id = outgoing.client_id if outgoing is not None else None
    if purpose == SIGNUP and channel.medium == DeliveryMedium.EMAIL and client_id and confirms_with_link(pool):
        link = confirmation_link(pages_url(ctx, tx, pool.id), client_id, user.username, code)
        return link_message(pool, link, code, override)
    return code_message(pool, channel.medium, code, override)


def check_code(ctx: Ctx, tx: Tx, user: User, purpose: str, given: str) -> OneTimeCode | None:
    """The user's live code for ``purpose`` when ``given`` is it (left in place: the caller consumes it).

    None when ``given`` is wrong: the wrong entry is recorded in ``tx``, which the caller must let commit
    before raising CodeMismatchException, or the attempt cap would never be reached. No code, an expired
    one, or a reached cap raise at once (nothing to record).
    """
    return check_found_code(ctx, tx.codes, tx.codes.get(user.pool_id, user.sub, purpose, for_update=True), given)


def check_found_code(ctx: Ctx, codes: CodeRepo, found: OneTimeCode | None, given: str) -> OneTimeCode | None:
    """check_code for a code already read (locked) from ``codes``."""
    stored = usable(found, ctx.now)
    if code_matches(ctx.deps.code_key, stored.code_hash, stored.pool_id, stored.sub, stored.purpose, given):
        return stored
    codes.put(after_failure(stored, ctx.now))
    return None
