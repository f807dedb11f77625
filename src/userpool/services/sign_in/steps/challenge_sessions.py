"""Challenge Sessions: the value a challenge response carries, kept only as its SHA-256, single use, expiring
after the client's AuthSessionValidity minutes, bound to pool, client, user and challenge name, with the
state the next step needs (AWS: RespondToAuthChallenge API reference, Session)."""

from __future__ import annotations

import json
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.errors import NotAuthorizedException
from userpool.model.claims import readable_attributes
from userpool.model.client_config import auth_session_seconds
from userpool.model.records import Client, Pool, User
from userpool.model.schema import definitions
from userpool.model.token_records import ChallengeSession
from userpool.model.vocabulary import ChallengeName
from userpool.services import housekeeping
from userpool.store.base import Tx

INVALID_SESSION = "Invalid session for the user, session is expired."


def _challenge_parameters(pool: Pool, client: Client, user: User, challenge: str) -> dict[str, str]:
    """ChallengeParameters: every value a string, lists and objects JSON-encoded."""
    if challenge == ChallengeName.DEVICE_SRP_AUTH:
        return {}
    if challenge != ChallengeName.NEW_PASSWORD_REQUIRED:
        return {"USER_ID_FOR_SRP": user.username}
    readable = readable_attributes(pool, client.config)
    shown = {n: v for n, v in sorted(user.attributes.items()) if n != "sub" and n in readable}
    missing = [
        f"userAttributes.{name}"
        for name, defn in definitions(pool).items()
        if defn.get("Required") and name != "sub" and not user.attributes.get(name)
    ]
    return {
        "USER_ID_FOR_SRP": user.username,
        "requiredAttributes": json.dumps(missing),
        "userAttributes": json.dumps(shown),
    }


def open_challenge(
    ctx: Ctx,
    tx: Tx,
    pool: Pool,
    client: Client,
    user: User,
    challenge: str,
    state: dict[str, Any] | None = None,
    parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Store a new challenge Session (in the caller's write transaction) and return the challenge response;
    ``parameters`` replace the ChallengeParameters this module would give the challenge."""
    value = new_opaque_value()
    if housekeeping.due("auth_challenges", ctx.now):  # expired ones are refused anyway (pending_challenge)
        tx.auth_challenges.delete_expired(ctx.now)
    tx.auth_challenges.add(
        ChallengeSession(
            session_hash=digest(value),
            pool_id=pool.id,
            client_id=client.id,
            sub=user.sub,
            challenge=challenge,
            created_at=ctx.now,
            expires_at=ctx.now + auth_session_seconds(client),
            state=state or {},
        )
    )
    return {
        "ChallengeName": challenge,
        "Session": value,
        "ChallengeParameters": (
            parameters if parameters is not None else _challenge_parameters(pool, client, user, challenge)
        ),
    }


def pending_challenge(ctx: Ctx, tx: Tx, client: Client, session: str | None, challenge: str) -> ChallengeSession:
    """The stored Session a challenge response presents; NotAuthorized unless it is live and was issued for
    this client and this challenge."""
    found = tx.auth_challenges.get(digest(session)) if session else None
    if found is None or found.client_id != client.id or found.challenge != challenge or found.expires_at <= ctx.now:
        raise NotAuthorizedException(INVALID_SESSION)
    return found
