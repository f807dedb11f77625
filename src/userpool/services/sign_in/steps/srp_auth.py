"""USER_SRP_AUTH (InitiateAuth) and its PASSWORD_VERIFIER answer (docs/srp.md).

Step 1 returns no Session: the SECRET_BLOCK carries the state (client, user, A, the server secret b, expiry)
sealed with AES-GCM under a server key, and its digest is stored as a single-use challenge row. Step 2
opens it, counts the attempt towards the lockout like a password check, consumes the row, verifies the
PASSWORD_CLAIM_SIGNATURE and then ends like a correct password (sign_in.finish_first_factor).

Where the client hides which users exist, a name no user has gets a simulated challenge that matches a real
one member for member, in value and length: a stable SALT, the USER_ID_FOR_SRP a user of that name would
have, a SECRET_BLOCK of the same length; step 2 refuses it as a wrong password, counted on the name's
stand-in counter (services/users/steps/stand_ins.py), so that it locks out too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.crypto.opaque import digest
from userpool.errors import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from userpool.model.attributes import username_attribute
from userpool.model.client_config import auth_session_seconds
from userpool.model.records import Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, hidden_as_missing, srp_verifier_for_sign_in, status_refusal
from userpool.model.token_records import ChallengeSession
from userpool.model.usernames import normalise
from userpool.model.vocabulary import ChallengeName
from userpool.services import housekeeping
from userpool.services.lookup.app_clients import check_secret_hash, hides_users
from userpool.services.sign_in.steps.calls import ChallengeCall, FlowCall, required_parameter
from userpool.services.sign_in.steps.outcome import (
    Attempt,
    Outcome,
    finish_first_factor,
    lookup_user,
    presented_device,
    same_user,
)
from userpool.services.sign_in.steps.sign_in_attempts import Counter, counted_attempt, nobody
from userpool.services.users.steps.stand_ins import stand_in_sub
from userpool.store.base import Tx
from userpool.triggers.sign_in import pre_authentication

# docs/srp.md, TIMESTAMP: |now - TIMESTAMP| must be within five minutes.
TIMESTAMP_WINDOW_SECONDS = 300


@dataclass(frozen=True, slots=True)
class _Simulated:
    """The SRP values of a name no user has (where the client hides which users exist)."""

    salt: str
    user_id: str
    verifier: int
    sub: str


def _could_be_username(pool: Pool, name: str) -> bool:
    """Whether a user of ``pool`` could have ``name`` as its username (not in a pool whose usernames are
    generated subs, nor an email / phone number where those are aliases)."""
    try:
        return username_attribute(pool, name) is None
    except InvalidParameterException:
        return False


def _simulated(ctx: Ctx, pool: Pool, username: str) -> _Simulated:
    """SALT, USER_ID_FOR_SRP, a stand-in verifier and the stand-in sub for ``username``, all stable per
    pool and name (as lookups normalise it), so that asking again looks like asking about one real user.

    USER_ID_FOR_SRP is what a real user's would be: its username, here the name itself as the pool keys it;
    where a user's would be its sub (email or phone number as username or alias), the stand-in sub, which is
    UUID-shaped and derived under a server secret, so it cannot be told from a real sub.
    """
    name = normalise(pool, username)
    message = f"srp-simulated\x1f{pool.id}\x1f{name}".encode("utf-8", "surrogatepass")
    seed = hmac.new(ctx.deps.code_key, message, hashlib.sha256).digest()
    sub = stand_in_sub(ctx, pool, username)
    return _Simulated(
        salt=format(int.from_bytes(seed[:16], "big"), "x"),
        user_id=name if _could_be_username(pool, username) else sub,
        verifier=int.from_bytes(hashlib.sha512(seed).digest(), "big"),
        sub=sub,
    )


@dataclass(frozen=True, slots=True)
class _Named:
    """The user a USERNAME names (None: nobody), read ahead in the transaction that found the client."""

    username: str
    user: User | None


def srp_reads(_ctx: Ctx, tx: Tx, call: FlowCall) -> _Named | None:
    """Step 1's read, made in the transaction that found the client (auth_flows.py); refuses nothing."""
    username = call.params.get("USERNAME")
    return _Named(username, lookup_user(tx, call.pool, username)) if username else None


def srp_sign_in(ctx: Ctx, call: FlowCall, pre_authenticate: bool = True) -> dict[str, Any]:
    """Step 1: answer SRP_A with the PASSWORD_VERIFIER challenge (no Session: the SECRET_BLOCK carries the state).
    ``pre_authenticate`` False is for a sign-in that already ran PreAuthentication (CUSTOM_AUTH asking for
    the password proof)."""
    username = required_parameter(call.params, "USERNAME")
    srp_a = required_parameter(call.params, "SRP_A")
    check_secret_hash(call.client, username, call.params.get("SECRET_HASH"))
    a = srp.parse_client_public(srp_a)
    if a is None:
        raise InvalidParameterException("SRP_A is not a valid SRP value.")
    hides = hides_users(call.client)
    if isinstance(call.ahead, _Named) and call.ahead.username == username:
        user = call.ahead.user
    else:
        with ctx.store.read() as tx:
            user = lookup_user(tx, call.pool, username)
    # PreAuthentication comes with step 1, where the user is resolved and its status checked; SRP never migrates a user:
    # the server never sees the password.
    if pre_authenticate:
        pre_authentication(
            ctx.triggers,
            call.pool,
            user,
            username,
            client_id=call.client.id,
            hides_users=hides,
            validation_data=call.client_metadata,
        )
    if user is not None and hidden_as_missing(user, hides):
        user = None
    if user is None:
        if not hides:
            raise UserNotFoundException("User does not exist.")
        simulated = _simulated(ctx, call.pool, username)
        return _challenge(ctx, call, None, simulated.sub, simulated.user_id, simulated.salt, simulated.verifier, a)
    refusal = status_refusal(user, hides)
    if refusal is not None:
        raise refusal
    verifier = srp_verifier_for_sign_in(user)
    if user.srp_salt is None or verifier is None:
        # The password was set before verifiers were enrolled (or the user has none): no proof of it could
        # ever verify. The challenge is a simulated one, refused at step 2 as a wrong password is (and
        # counted so), rather than refused here, which no name without a user would be. The user's next
        # USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH sign-in enrols a verifier (password_auth.py).
        simulated = _simulated(ctx, call.pool, username)
        return _challenge(ctx, call, user, user.sub, user.username, simulated.salt, simulated.verifier, a)
    return _challenge(ctx, call, user, user.sub, user.username, user.srp_salt, int(verifier, 16), a)


def _challenge(
    ctx: Ctx, call: FlowCall, user: User | None, sub: str, user_id: str, salt: str, verifier: int, a: int
) -> dict[str, Any]:
    """The PASSWORD_VERIFIER challenge for ``user`` (None: a simulated one, ``sub`` the name's stand-in)."""
    server_secret = srp.new_server_secret()
    server_public = srp.server_public(verifier, server_secret)
    while server_public == 0:  # docs/srp.md, Step 1: never hand out B ≡ 0 (mod N)
        server_secret = srp.new_server_secret()
        server_public = srp.server_public(verifier, server_secret)
    # In whole seconds (at most one more), so that its width too is the same for everyone.
    expires_at = math.ceil(ctx.now + auth_session_seconds(call.client))
    # Every member but the user id (which the challenge shows anyway) has one width whoever asks, so the
    # SECRET_BLOCK's length says nothing of whether the user exists: subs (real or stand-in) are UUIDs, the
    # numbers zero-padded hex (A to the longest SRP_A taken, b and u to 256 bits).
    state = {
        "pool": call.pool.id,
        "sub": sub,
        "uid": user_id,
        "A": format(a, f"0{srp.MAX_PUBLIC_HEX}x"),
        "b": format(server_secret, "064x"),
        # Kept so that step 2 need not compute g^b again (srp.session_key).
        "u": format(srp.scrambler(a, server_public), "064x"),
        "exp": expires_at,
    }
    block = srp.seal_secret_block(ctx.deps.code_key, call.client.id, state)
    with ctx.store.write() as tx:
        if housekeeping.due("auth_challenges", ctx.now):  # expired ones are refused anyway
            tx.auth_challenges.delete_expired(ctx.now)
        if user is not None:
            # Only the digest is kept: it makes the block single use (consumed at step 2).
            tx.auth_challenges.add(
                ChallengeSession(
                    session_hash=digest(block),
                    pool_id=call.pool.id,
                    client_id=call.client.id,
                    sub=user.sub,
                    challenge=ChallengeName.PASSWORD_VERIFIER,
                    created_at=ctx.now,
                    expires_at=expires_at,
                )
            )
        else:
            # Written down as a real one is, so that a simulated challenge costs what a real one does; no
            # step 2 can succeed with it, so nothing reads it back.
            tx.stand_ins.add_session(
                call.pool.id, digest(block), {"challenge": ChallengeName.PASSWORD_VERIFIER}, expires_at
            )
    return {
        "ChallengeName": ChallengeName.PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": format(server_public, "x"),
            "SECRET_BLOCK": block,
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    }


def _timestamp_ok(ctx: Ctx, timestamp: str) -> bool:
    when = srp.parse_timestamp(timestamp)
    return when is not None and abs(ctx.now - when) <= TIMESTAMP_WINDOW_SECONDS


def _live_state(ctx: Ctx, pool: Pool, state: dict[str, Any] | None) -> dict[str, Any]:
    """A SECRET_BLOCK's state, if it was issued for this pool and has not expired."""
    if state is None or state.get("pool") != pool.id or float(state.get("exp", 0)) <= ctx.now:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    return state


def _claimed_user(tx: Tx, pool: Pool, state: dict[str, Any], username: str) -> tuple[User | None, User | None]:
    """The user of the pool a SECRET_BLOCK's state was issued to, and the user USERNAME names."""
    sub = state.get("sub")
    user = tx.users.get_by_sub(pool.id, sub) if isinstance(sub, str) else None
    # USERNAME is most often the user's own username: then it names this very row (usernames are unique per pool),
    # and reading it again by name would only repeat the read.
    if user is not None and normalise(pool, username) == user.username_norm:
        return user, user
    return user, lookup_user(tx, pool, username)


@dataclass(frozen=True, slots=True)
class _Proven:
    """Step 2's SECRET_BLOCK opened and its users read, in the transaction that found the client."""

    block: str
    username: str
    state: dict[str, Any] | None
    user: User | None
    named: User | None


def password_verifier_reads(ctx: Ctx, tx: Tx, call: ChallengeCall) -> _Proven | None:
    """Step 2's reads, made in the transaction that found the client (auth_challenges.py); refuses nothing.
    A PASSWORD_VERIFIER with a Session continues a CUSTOM_AUTH sign-in instead: nothing is read for it."""
    block, username = call.responses.get("PASSWORD_CLAIM_SECRET_BLOCK"), call.responses.get("USERNAME")
    if call.session or not block or not username:
        return None
    state = srp.open_secret_block(ctx.deps.code_key, call.client.id, block)
    user, named = _claimed_user(tx, call.pool, state, username) if state is not None else (None, None)
    return _Proven(block, username, state, user, named)


def password_verifier(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """Step 2: check the PASSWORD_CLAIM_SIGNATURE; tokens or the next challenge (docs/srp.md, Step 2). The DEVICE_KEY
    that counts is the one sent with this step (clients send it with both)."""
    username = required_parameter(call.responses, "USERNAME")
    block = required_parameter(call.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_parameter(call.responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_parameter(call.responses, "TIMESTAMP")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    ahead = call.ahead
    if isinstance(ahead, _Proven) and (ahead.block, ahead.username) == (block, username):
        state = _live_state(ctx, call.pool, ahead.state)
        user, named = ahead.user, ahead.named
    else:
        state = _live_state(ctx, call.pool, srp.open_secret_block(ctx.deps.code_key, call.client.id, block))
        with ctx.store.read() as tx:
            user, named = _claimed_user(tx, call.pool, state, username)
    sub = state.get("sub")
    if user is None or not same_user(user, username, named):
        # A simulated challenge (a name no user has) fails here, after the lockout bookkeeping of the
        # name's stand-in counter and an exponentiation like the real check's, so the answer neither comes
        # back faster nor stops short of the lockout (AWS, "Managing user existence error responses").
        if user is None and isinstance(sub, str):
            counter = Counter(call.pool.id, sub, stand_in=True)
        else:
            counter = nobody(call.pool)
        with counted_attempt(ctx, counter):
            srp.session_key(int(state["A"], 16), srp.G, int(state["b"], 16), srp.kept_scrambler(state))
            raise NotAuthorizedException(WRONG_CREDENTIALS)
    refusal = status_refusal(user, hides_users(call.client))
    if refusal is not None:
        raise refusal
    with counted_attempt(ctx, Counter(call.pool.id, user.sub)):
        verifier = srp_verifier_for_sign_in(user)
        if verifier is None or not _timestamp_ok(ctx, timestamp):
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        key = srp.session_key(int(state["A"], 16), int(verifier, 16), int(state["b"], 16), srp.kept_scrambler(state))
        secret_block = base64.b64decode(block)
        expected = srp.claim_signature(key, call.pool.id, user.username, secret_block, timestamp) if key else b""
        if key is None or not srp.signature_matches(expected, signature):
            raise NotAuthorizedException(WRONG_CREDENTIALS)
    attempt = Attempt(call.responses.get("DEVICE_KEY") or None, may_track=not call.admin)
    if attempt.device_key is not None:
        with ctx.store.read() as tx:
            # An unknown DEVICE_KEY is refused before the block is used up: clients then forget the key and
            # send the same proof again without it (amazon-cognito-identity-js, Amplify), which must still work.
            presented_device(tx, call.pool, user, attempt)
    with ctx.store.write() as tx:
        consumed = tx.auth_challenges.consume(digest(block))
    if not consumed:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    return finish_first_factor(ctx, call.pool, call.client, user, attempt=attempt)
