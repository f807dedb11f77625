"""Opening a second-factor challenge (spec auth-flows §4 step 2, §5): SMS_MFA and EMAIL_OTP send a fresh
sign-in code through the outbox, SOFTWARE_TOKEN_MFA waits for the user's authenticator app, SELECT_MFA_TYPE
offers the usable factors, MFA_SETUP the factors the pool offers to set up.

The code is kept as a keyed hash in the code store under the purpose ``mfa_sms`` / ``mfa_email`` (one live
code per user, expiring, attempt-limited: model/codes.py); the challenge Session remembers which factor it
asks for. Everything happens in the caller's write transaction; the outbox sends after commit.
"""

from __future__ import annotations

import json
from typing import Any

from userpool.context import Ctx
from userpool.crypto.codes import code_hash, new_code
from userpool.model.codes import MFA_EMAIL, MFA_SMS, issue
from userpool.model.destinations import MEDIUM_OF, mask
from userpool.model.mfa_messages import sign_in_code_message
from userpool.model.pool_mfa import EMAIL, SMS
from userpool.model.records import Client, NewMessage, Pool, User
from userpool.model.user_mfa import DESTINATION, MFA_SETUP, SELECT_MFA_TYPE, MfaDecision
from userpool.services.challenge_sessions import open_challenge
from userpool.store.base import Tx

# Which code purpose each code-carrying factor uses.
CODE_PURPOSE = {SMS: MFA_SMS, EMAIL: MFA_EMAIL}
# The state key of an MFA challenge Session naming the factors it offered (SELECT_MFA_TYPE, MFA_SETUP).
OPTIONS = "mfa_options"


def send_sign_in_code(ctx: Ctx, tx: Tx, pool: Pool, user: User, factor: str) -> dict[str, str]:
    """Replace the user's sign-in code for ``factor`` (SMS_MFA or EMAIL_OTP), queue it, and return the
    CODE_DELIVERY_* challenge parameters."""
    attribute = DESTINATION[factor]
    address = user.attributes.get(attribute) or ""
    purpose = CODE_PURPOSE[factor]
    code = new_code()
    stored = issue(
        tx.codes.get(pool.id, user.sub, purpose, for_update=True),
        pool_id=pool.id,
        sub=user.sub,
        purpose=purpose,
        code_hash=code_hash(ctx.deps.code_key, pool.id, user.sub, purpose, code),
        attribute=attribute,
        now=ctx.now,
    )
    tx.codes.put(stored)
    medium = MEDIUM_OF[attribute]
    message = sign_in_code_message(pool, medium, code)
    tx.outbox.add(NewMessage(pool.id, medium, address, message.subject, message.body), ctx.now)
    return {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(attribute, address)}


def open_second_factor(
    ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, decision: MfaDecision, state: dict[str, Any]
) -> dict[str, Any]:
    """Open ``decision``'s challenge with its Session, carrying the sign-in's ``state`` forward."""
    challenge = decision.challenge
    assert challenge is not None
    parameters = {"USER_ID_FOR_SRP": user.username}
    if challenge in CODE_PURPOSE:
        parameters.update(send_sign_in_code(ctx, tx, pool, user, challenge))
    elif challenge == SELECT_MFA_TYPE:
        parameters["MFAS_CAN_CHOOSE"] = json.dumps(list(decision.options))
    elif challenge == MFA_SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps(list(decision.options))
    state = {**state, OPTIONS: list(decision.options)}
    answer = open_challenge(ctx, tx, pool, client, user, challenge, state, parameters)
    ctx.deps.wake_outbox()
    return answer
