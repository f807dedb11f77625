"""DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER: a remembered device proves itself with its own SRP secret (Cognito
developer guide: 'Working with user devices in your user pool'; docs/srp.md, Devices), in place of a second factor.

DEVICE_SRP_AUTH must follow a password step of the same user, device and client within the client's
AuthSessionValidity; that step is consumed. The Session is checked when sent back, and not required, as
pycognito never sends it. The answer carries, like
PASSWORD_VERIFIER, a sealed single-use SECRET_BLOCK with the SRP state (sealed for devices only, so it never
opens as a password step's block and the other way round).
"""

from __future__ import annotations

import base64
from dataclasses import replace

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.crypto.opaque import digest
from userpool.errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException
from userpool.model.client_config import auth_session_seconds
from userpool.model.devices import DEVICE_NOT_FOUND, Device, device_replaces_mfa, device_step_key
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, status_refusal
from userpool.model.token_records import ChallengeSession
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.app_clients import check_secret_hash
from userpool.services.sign_in.steps.calls import ChallengeCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, pending_challenge
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, end, lookup_user, same_user, second_factor_or_end
from userpool.services.sign_in.steps.srp_auth import TIMESTAMP_WINDOW_SECONDS
from userpool.triggers.sources import Source


def _block_context(client: Client) -> str:
    return f"device:{client.id}"


def _device_of(pool: Pool, user: User | None, username: str, named: User | None, device: Device | None) -> Device:
    if user is None or not same_user(user, username, named):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    refusal = status_refusal(user, hides_users=False)
    if refusal is not None:
        raise refusal
    if device is None or not device.confirmed or device.srp_verifier is None or device.srp_salt is None:
        raise ResourceNotFoundException(DEVICE_NOT_FOUND)
    return device


def device_srp_auth(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A}: answer with DEVICE_PASSWORD_VERIFIER (SRP_B, SALT,
    SECRET_BLOCK) for the device's verifier."""
    username = required_parameter(call.responses, "USERNAME")
    device_key = required_parameter(call.responses, "DEVICE_KEY")
    srp_a = required_parameter(call.responses, "SRP_A")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    client_public = srp.parse_client_public(srp_a)
    if client_public is None:
        raise InvalidParameterException("SRP_A is not a valid SRP value.")
    with ctx.store.read() as tx:
        named = lookup_user(tx, call.pool, username)
        if call.session:
            pending = pending_challenge(ctx, tx, call.client, call.session, ChallengeName.DEVICE_SRP_AUTH)
            if pending.state.get("device_key") != device_key:
                raise NotAuthorizedException(INVALID_SESSION)
            sub: str | None = pending.sub
        else:
            sub = named.sub if named is not None else None
        step = tx.auth_challenges.get(device_step_key(call.client.id, sub, device_key)) if sub else None
        if step is None or sub is None or step.expires_at <= ctx.now or step.client_id != call.client.id:
            raise NotAuthorizedException(INVALID_SESSION)
        user = tx.users.get_by_sub(call.pool.id, sub)
        found = tx.devices.get(call.pool.id, sub, device_key)
    device = _device_of(call.pool, user, username, named, found)
    assert user is not None and device.srp_verifier is not None
    verifier = int(device.srp_verifier, 16)
    server_secret = srp.new_server_secret()
    server_public = srp.server_public(verifier, server_secret)
    while server_public == 0:  # docs/srp.md, Step 1: never hand out B ≡ 0 (mod N)
        server_secret = srp.new_server_secret()
        server_public = srp.server_public(verifier, server_secret)
    expires_at = ctx.now + auth_session_seconds(call.client)
    state = {
        "pool": call.pool.id,
        "sub": user.sub,
        "device_key": device_key,
        "A": format(client_public, "x"),
        "b": format(server_secret, "x"),
        # Kept so that the next step need not compute g^b again (srp.session_key).
        "u": format(srp.scrambler(client_public, server_public), "x"),
        "exp": expires_at,
    }
    block = srp.seal_secret_block(ctx.deps.code_key, _block_context(call.client), state)
    with ctx.store.write() as tx:
        # The password step is used up here (and its Session, when the client sent it back); the block is
        # single use in its turn.
        if not tx.auth_challenges.consume(device_step_key(call.client.id, user.sub, device_key)):
            raise NotAuthorizedException(INVALID_SESSION)
        if call.session:
            tx.auth_challenges.consume(digest(call.session))
        tx.auth_challenges.add(
            ChallengeSession(
                session_hash=digest(block),
                pool_id=call.pool.id,
                client_id=call.client.id,
                sub=user.sub,
                challenge=ChallengeName.DEVICE_PASSWORD_VERIFIER,
                created_at=ctx.now,
                expires_at=expires_at,
            )
        )
    return Outcome(
        challenge={
            "ChallengeName": ChallengeName.DEVICE_PASSWORD_VERIFIER,
            "ChallengeParameters": {
                "USERNAME": user.username,
                "DEVICE_KEY": device_key,
                "SRP_B": format(server_public, "x"),
                "SALT": device.srp_salt,
                "SECRET_BLOCK": block,
            },
        }
    )


def device_password_verifier(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """DEVICE_PASSWORD_VERIFIER: check the device's PASSWORD_CLAIM_SIGNATURE; tokens bound to the device."""
    username = required_parameter(call.responses, "USERNAME")
    device_key = required_parameter(call.responses, "DEVICE_KEY")
    block = required_parameter(call.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_parameter(call.responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_parameter(call.responses, "TIMESTAMP")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    state = srp.open_secret_block(ctx.deps.code_key, _block_context(call.client), block)
    if (
        state is None
        or state.get("pool") != call.pool.id
        or state.get("device_key") != device_key
        or float(state.get("exp", 0)) <= ctx.now
    ):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    sub = str(state.get("sub"))
    with ctx.store.read() as tx:
        user = tx.users.get_by_sub(call.pool.id, sub)
        named = lookup_user(tx, call.pool, username)
        found = tx.devices.get(call.pool.id, sub, device_key)
    device = _device_of(call.pool, user, username, named, found)
    assert user is not None and device.srp_verifier is not None
    with ctx.store.write() as tx:
        consumed = tx.auth_challenges.consume(digest(block))
    when = srp.parse_timestamp(timestamp)
    if not consumed or when is None or abs(ctx.now - when) > TIMESTAMP_WINDOW_SECONDS:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    key = srp.session_key(
        int(state["A"], 16), int(device.srp_verifier, 16), int(state["b"], 16), srp.kept_scrambler(state)
    )
    expected = (
        srp.device_claim_signature(key, device.group_key, device_key, base64.b64decode(block), timestamp)
        if key
        else b""
    )
    if key is None or not srp.signature_matches(expected, signature):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    with ctx.store.write() as tx:
        current = tx.users.get_by_sub(call.pool.id, user.sub)
        if current is None:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        refusal = status_refusal(current, hides_users=False)
        if refusal is not None:
            raise refusal
        latest = tx.devices.get(call.pool.id, user.sub, device_key, for_update=True)
        if latest is None:
            raise ResourceNotFoundException(DEVICE_NOT_FOUND)
        tx.devices.update(replace(latest, authenticated_at=ctx.now, last_ip=ctx.source_ip or latest.last_ip))
        attempt = Attempt(
            device_key=device_key, may_track=False, token_source=Source.TOKEN_GENERATION_AUTHENTICATE_DEVICE
        )
        if device_replaces_mfa(call.pool):
            return end(ctx, tx, call.pool, call.client, current, attempt)
        return second_factor_or_end(ctx, tx, call.pool, call.client, current, attempt)
