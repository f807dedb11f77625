"""How every sign-in step ends: the next challenge with its Session, or tokens (AWS: InitiateAuth and
RespondToAuthChallenge API references). Challenge Sessions themselves are kept by challenge_sessions.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.model.client_config import auth_session_seconds
from userpool.model.devices import (
    DEVICE_NOT_FOUND,
    Device,
    device_step_key,
    new_device_key,
    new_group_key,
    skips_password_step,
    tracks_devices,
)
from userpool.model.lockout import after_success
from userpool.model.records import Client, Pool, User
from userpool.model.risk_assessment import BLOCKED_RISK_MESSAGE, MFA_REQUIRED, risk_mfa_decision
from userpool.model.sign_in import (
    TEMPORARY_PASSWORD_EXPIRED,
    WRONG_CREDENTIALS,
    first_step_after_password,
    status_refusal,
    temporary_password_expired,
)
from userpool.model.token_records import ChallengeSession
from userpool.model.user_mfa import mfa_decision, mfa_off
from userpool.model.usernames import looks_like_sub
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.records import find_user
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, open_challenge
from userpool.services.sign_in.steps.mfa_challenges import SignInCode, deliver_sign_in_code, open_second_factor
from userpool.services.tokens.steps.token_issuance import sign_in_tokens
from userpool.services.tokens.steps.tokens import Grant, start_session
from userpool.store.base import Tx
from userpool.triggers.sources import Source

# PreTokenGeneration's triggerSource for the sign-ins that end in tokens through the API (Cognito developer guide: 'Pre
# token generation Lambda trigger').
TOKEN_SOURCES = frozenset(
    {
        Source.TOKEN_GENERATION_AUTHENTICATION,
        Source.TOKEN_GENERATION_NEW_PASSWORD_CHALLENGE,
        Source.TOKEN_GENERATION_AUTHENTICATE_DEVICE,
    }
)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What a sign-in carries from step to step besides the user: the DEVICE_KEY the client presented, if any; whether
    this flow may start tracking a new device (admin password flows do not); whether it runs for the hosted sign-in
    pages, which end in a signed-in user for an authorization code rather than in tokens; and the PreTokenGeneration
    triggerSource its tokens will have (a sign-in that changed a temporary password, or that a remembered device proved,
    says so to the function)."""

    device_key: str | None = None
    may_track: bool = True
    hosted: bool = False
    token_source: Source = Source.TOKEN_GENERATION_AUTHENTICATION

    def state(self) -> dict[str, Any]:
        """What a challenge Session carries forward of it."""
        return {
            "device_key": self.device_key,
            "may_track": self.may_track,
            "hosted": self.hosted,
            "token_source": self.token_source.value,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Attempt:
        key = state.get("device_key")
        source = state.get("token_source")
        return cls(
            key if isinstance(key, str) else None,
            bool(state.get("may_track", True)),
            bool(state.get("hosted", False)),
            Source(source) if source in TOKEN_SOURCES else Source.TOKEN_GENERATION_AUTHENTICATION,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a sign-in step decided inside its write transaction: a challenge response, a grant to sign, or
    (for the hosted pages) the user who has now signed in; with a challenge, the code it sends, which
    ``delivered`` messages after commit."""

    challenge: dict[str, Any] | None = None
    grant: Grant | None = None
    signed_in: User | None = None
    token_source: Source = Source.TOKEN_GENERATION_AUTHENTICATION
    sign_in_code: SignInCode | None = None


def lookup_user(tx: Tx, pool: Pool, username: str) -> User | None:
    """The user a sign-in USERNAME names (username, alias or sub); None for text no user can have."""
    # AuthParameters values have no pattern in the model, and PostgreSQL cannot compare text holding NUL.
    if "\x00" in username or not username:
        return None
    return find_user(tx, pool, username)


def same_user(user: User, username: str, found: User | None) -> bool:
    """Whether a challenge response's USERNAME names the user the Session is bound to."""
    return (found is not None and found.sub == user.sub) or (looks_like_sub(username) and username == user.sub)


def presented_device(tx: Tx, pool: Pool, user: User, attempt: Attempt) -> Device | None:
    """The user's device that the sign-in's DEVICE_KEY names; ResourceNotFound for a key that names none of
    the user's devices (clients then forget the key and sign in again without it). In a pool that does not
    track devices the key is ignored."""
    if attempt.device_key is None or not tracks_devices(pool):
        return None
    found = tx.devices.get(pool.id, user.sub, attempt.device_key)
    if found is None:
        raise ResourceNotFoundException(DEVICE_NOT_FOUND)
    return found


def track_new_device(ctx: Ctx, tx: Tx, pool: Pool, user: User) -> tuple[str, str]:
    """Record a device for NewDeviceMetadata; it counts once the client confirms it (ConfirmDevice)."""
    key, group = new_device_key(pool.id.split("_")[0]), new_group_key()
    tx.devices.add(Device(key, pool.id, user.sub, group, created_at=ctx.now, updated_at=ctx.now))
    return key, group


def _pend_device_step(ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, device_key: str) -> None:
    """Record that this user's password step for this device and client succeeded: DEVICE_SRP_AUTH must
    consume it (with or without the Session), so it is single use and expires like a Session."""
    name = device_step_key(client.id, user.sub, device_key)
    tx.auth_challenges.consume(name)  # a step left over from an abandoned sign-in
    step = ChallengeSession(
        name,
        pool.id,
        client.id,
        user.sub,
        ChallengeName.DEVICE_SRP_AUTH,
        ctx.now,
        ctx.now + auth_session_seconds(client),
    )
    tx.auth_challenges.add(step)


def conclude(ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, attempt: Attempt | None = None) -> Outcome:
    """After a verified first factor, in the caller's write transaction: clear the failed-attempt counter and
    decide the next step: NEW_PASSWORD_REQUIRED, DEVICE_SRP_AUTH for a remembered device,
    a second factor, or the end of the sign-in."""
    attempt = attempt or Attempt()
    counters = tx.sign_in_counters.get(pool.id, user.sub, for_update=True)
    if counters is not None and (counters.failed_attempts or counters.locked_until):
        tx.sign_in_counters.set_attempts(pool.id, user.sub, after_success(counters))
    known = presented_device(tx, pool, user, attempt)
    challenge = first_step_after_password(
        pool, user, remembered_device=known is not None and skips_password_step(pool, known)
    )
    if challenge is not None:
        if challenge == ChallengeName.NEW_PASSWORD_REQUIRED:
            # The tokens at the end of this sign-in follow the new password (TokenGeneration_NewPasswordChallenge).
            attempt = replace(attempt, token_source=Source.TOKEN_GENERATION_NEW_PASSWORD_CHALLENGE)
        answer = open_challenge(ctx, tx, pool, client, user, challenge, attempt.state())
        if challenge == ChallengeName.DEVICE_SRP_AUTH and known is not None:
            _pend_device_step(ctx, tx, pool, client, user, known.device_key)
        return Outcome(challenge=answer)
    return second_factor_or_end(ctx, tx, pool, client, user, attempt)


def second_factor_or_end(ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, attempt: Attempt) -> Outcome:
    """The MFA step the pool and user call for (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE,
    MFA_SETUP; codes are sent here), or the end of the sign-in when there is none."""
    # With MFA off the decision needs no software token: not reading it spares a statement (docs/architecture.md,
    # Hot-path rules).
    risk = ctx.risk_response
    token = None if mfa_off(pool) and risk is None else tx.software_tokens.get(pool.id, user.sub)
    verified = token is not None and token.verified
    decision = mfa_decision(pool, user, verified)
    if risk is not None:
        # Threat protection asks for a second factor for this sign-in's risk (AccountTakeoverActionType).
        forced = risk_mfa_decision(pool, user, verified, decision)
        if forced is None and risk.mfa == MFA_REQUIRED:
            raise NotAuthorizedException(BLOCKED_RISK_MESSAGE)
        decision = forced or decision
    if decision.challenge is not None:
        answer, sent = open_second_factor(ctx, tx, pool, client, user, decision, attempt.state())
        return Outcome(challenge=answer, sign_in_code=sent)
    return end(ctx, tx, pool, client, user, attempt)


def end(ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, attempt: Attempt) -> Outcome:
    """Every factor is proven: the signed-in user (hosted pages), or a sign-in session for tokens, bound to the
    device the client presented, or to a new device (NewDeviceMetadata) when the pool tracks devices."""
    if attempt.hosted:
        return Outcome(signed_in=user)
    source = attempt.token_source
    known = presented_device(tx, pool, user, attempt)
    if known is not None:
        grant = start_session(ctx, tx, pool, client, user, device_key=known.device_key)
        return Outcome(grant=grant, token_source=source)
    if attempt.may_track and tracks_devices(pool):
        key, group = track_new_device(ctx, tx, pool, user)
        grant = start_session(ctx, tx, pool, client, user, device_key=key, new_device=(key, group))
        return Outcome(grant=grant, token_source=source)
    return Outcome(grant=start_session(ctx, tx, pool, client, user), token_source=source)


def delivered(ctx: Ctx, outcome: Outcome, client_metadata: Mapping[str, Any] | None) -> Outcome:
    """``outcome`` once the sign-in code it carries, if any, is on its way; call it after the step's
    transaction committed. The message triggers receive the request's ``client_metadata``."""
    if outcome.sign_in_code is None:
        return outcome
    deliver_sign_in_code(ctx, outcome.sign_in_code, client_metadata)
    return replace(outcome, sign_in_code=None)


def respond(
    ctx: Ctx,
    outcome: Outcome,
    client_metadata: Mapping[str, Any] | None = None,
    *,
    request_metadata: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The InitiateAuth / RespondToAuthChallenge response for a concluded step. Tokens are signed here, after
    the transaction committed, with PreTokenGeneration before and PostAuthentication after; they receive
    ``client_metadata`` (RespondToAuthChallenge's ClientMetadata; InitiateAuth passes them none). A sign-in
    code the step issued is sent first, its message triggers receiving ``request_metadata`` (InitiateAuth's
    ClientMetadata), or else ``client_metadata``."""
    outcome = delivered(ctx, outcome, client_metadata if request_metadata is None else request_metadata)
    if outcome.grant is None:
        if outcome.challenge is None:
            # Only a hosted-page sign-in ends without tokens, and its Session never reaches the API.
            raise NotAuthorizedException(INVALID_SESSION)
        return dict(outcome.challenge)
    result = sign_in_tokens(ctx, outcome.grant, outcome.token_source, client_metadata)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def finish_first_factor(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    verified: User,
    new_password_hash: str | None = None,
    srp_enrolment: tuple[str, str] | None = None,
    attempt: Attempt | None = None,
) -> Outcome:
    """Complete a sign-in whose password was just verified for ``verified`` (as read before verifying).

    The user is read again in the write: an administrator may have disabled it, or changed its password, in
    the meantime. ``new_password_hash`` replaces a hash made with outdated argon2 parameters;
    ``srp_enrolment`` (salt, verifier as hex) gives SRP to a user whose password predates it.
    """
    with ctx.store.write() as tx:
        current = tx.users.get_by_sub(pool.id, verified.sub)
        user = current
        if user is None or user.password_hash != verified.password_hash:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        refusal = status_refusal(user, hides_users=False)
        if refusal is not None:
            raise refusal
        if temporary_password_expired(user, ctx.now):
            raise NotAuthorizedException(TEMPORARY_PASSWORD_EXPIRED)
        if new_password_hash is not None:
            user = replace(user, password_hash=new_password_hash)
        if srp_enrolment is not None and user.srp_verifier is None:
            user = replace(user, srp_salt=srp_enrolment[0], srp_verifier=srp_enrolment[1])
        if user is not current:
            tx.users.update(user)
        return conclude(ctx, tx, pool, client, user, attempt)
