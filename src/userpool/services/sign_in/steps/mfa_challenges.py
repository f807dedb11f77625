"""Opening a second-factor challenge (Cognito developer guide: 'Adding MFA to a user pool'): SMS_MFA and EMAIL_OTP send
a fresh sign-in code, SOFTWARE_TOKEN_MFA waits for the user's authenticator app, SELECT_MFA_TYPE offers the usable
factors, MFA_SETUP the factors the pool offers to set up.

The code is kept as a keyed hash in the code store under the purpose ``mfa_sms`` / ``mfa_email`` (one live code per
user, expiring, attempt-limited: model/codes.py); the challenge Session remembers which factor it asks for. Both are
written in the caller's write transaction. The message is not: which factor (if any) sends a code is only decided inside
that transaction, and its CustomMessage_Authentication function, or the pool's CustomEmailSender / CustomSMSSender, must
not run inside one (docs/architecture.md, Storage). So the code leaves the transaction as a ``SignInCode`` and
``deliver_sign_in_code`` messages it after commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.context import Ctx
from userpool.crypto.codes import code_hash, new_code
from userpool.model.codes import MFA_EMAIL, MFA_SMS, issue
from userpool.model.destinations import Channel, mask
from userpool.model.messages import outbox_message
from userpool.model.mfa_messages import sign_in_code_message
from userpool.model.pool_mfa import EMAIL, SMS, TOTP
from userpool.model.records import Client, Pool, User
from userpool.model.user_mfa import DESTINATION, MfaDecision
from userpool.model.vocabulary import ChallengeName
from userpool.services.sign_in.mfa import software_token_name
from userpool.services.sign_in.steps.challenge_sessions import open_challenge
from userpool.store.base import Tx
from userpool.triggers import custom_sender
from userpool.triggers.custom_message import custom_message
from userpool.triggers.sources import MessageEvent

# Which code purpose each code-carrying factor uses.
CODE_PURPOSE: dict[str, str] = {SMS: MFA_SMS, EMAIL: MFA_EMAIL}
# The state key of an MFA challenge Session naming the factors it offered (SELECT_MFA_TYPE, MFA_SETUP).
OPTIONS = "mfa_options"


@dataclass(frozen=True, slots=True)
class SignInCode:
    """A sign-in code its transaction stored, still to be messaged to ``channel`` (after commit)."""

    pool: Pool
    user: User
    client_id: str
    channel: Channel
    code: str = field(repr=False)


def send_sign_in_code(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, factor: str
) -> tuple[dict[str, str], SignInCode]:
    """Replace the user's sign-in code for ``factor`` (SMS_MFA or EMAIL_OTP); the CODE_DELIVERY_* challenge
    parameters, and the code for ``deliver_sign_in_code`` once ``tx`` has committed."""
    channel = Channel(DESTINATION[factor], user.attributes.get(DESTINATION[factor]) or "")
    purpose = CODE_PURPOSE[factor]
    code = new_code()
    stored = issue(
        tx.codes.get(pool.id, user.sub, purpose, for_update=True),
        pool_id=pool.id,
        sub=user.sub,
        purpose=purpose,
        code_hash=code_hash(ctx.deps.code_key, pool.id, user.sub, purpose, code),
        attribute=channel.attribute,
        now=ctx.now,
    )
    tx.codes.put(stored)
    parameters = {
        "CODE_DELIVERY_DELIVERY_MEDIUM": channel.medium,
        "CODE_DELIVERY_DESTINATION": mask(channel.attribute, channel.address),
    }
    return parameters, SignInCode(pool, user, client.id, channel, code)


def deliver_sign_in_code(ctx: Ctx, sent: SignInCode, client_metadata: Mapping[str, Any] | None) -> None:
    """Message a sign-in code whose transaction has committed: the pool's custom sender function takes it,
    or the outbox sends the pool's template as CustomMessage_Authentication rewrote it.

    A failing CustomMessage function fails the sign-in step; the code stays issued and unsent, and a new
    sign-in replaces it."""
    pool, user, medium, client_id = sent.pool, sent.user, sent.channel.medium, sent.client_id
    event = MessageEvent.AUTHENTICATION
    if custom_sender.sends(pool, medium):
        # The sender function words its own message, so no CustomMessage template is asked for.
        custom_sender.hand_over(
            ctx.triggers, pool, user, medium, event, sent.code, client_id=client_id, client_metadata=client_metadata
        )
        return
    override = custom_message(ctx.triggers, pool, user, event, client_id=client_id, client_metadata=client_metadata)
    message = sign_in_code_message(pool, medium, sent.code, override)
    with ctx.store.write() as tx:
        tx.outbox.add(outbox_message(pool, medium, sent.channel.address, message), ctx.now)
    ctx.deps.wake_outbox()


def open_second_factor(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, decision: MfaDecision, state: dict[str, Any]
) -> tuple[dict[str, Any], SignInCode | None]:
    """Open ``decision``'s challenge with its Session, carrying the sign-in's ``state`` forward; the code it
    sends, if any, to deliver after commit."""
    challenge = decision.challenge
    assert challenge is not None
    parameters = {"USER_ID_FOR_SRP": user.username}
    sent = None
    if challenge in CODE_PURPOSE:
        delivery, sent = send_sign_in_code(ctx, tx, pool, client, user, challenge)
        parameters.update(delivery)
    elif challenge == TOTP:
        # Cognito names the authenticator (VerifySoftwareToken's FriendlyDeviceName), when it was given one.
        name = software_token_name(tx, user)
        if name:
            parameters["FRIENDLY_DEVICE_NAME"] = name
    elif challenge == ChallengeName.SELECT_MFA_TYPE:
        parameters["MFAS_CAN_CHOOSE"] = json.dumps(list(decision.options))
    elif challenge == ChallengeName.MFA_SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps(list(decision.options))
    state = {**state, OPTIONS: list(decision.options)}
    return open_challenge(ctx, tx, pool, client, user, challenge, state, parameters), sent
