"""A user's second factors outside sign-in: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
AdminSetUserMFAPreference, AdminSetUserSettings and AdminDeleteSoftwareToken (Cognito developer guide: 'TOTP software
token MFA'; SetUserSettings is in self_service/account.py).

The two software-token operations are authorized either by an access token or by the ``Session`` of an
MFA_SETUP challenge (a user who must set up MFA before a sign-in completes). In the Session mode each call
consumes the Session and answers with a new one, and a successful verification marks the new Session's
state with ``SOFTWARE_TOKEN_VERIFIED`` so that RespondToAuthChallenge(MFA_SETUP) can finish the sign-in.

The functions after the operations are for the sign-in flows: whether an MFA_SETUP Session saw a software
token verified, checking a SOFTWARE_TOKEN_MFA code with the same replay protection, and the authenticator's
name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from userpool.context import Ctx
from userpool.crypto import totp
from userpool.crypto.opaque import digest
from userpool.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    SoftwareTokenMFANotFoundException,
)
from userpool.model.pool_mfa import TOTP, enabled_factors
from userpool.model.records import Client, Pool, User
from userpool.model.token_records import ChallengeSession
from userpool.model.user_mfa import (
    SoftwareToken,
    enabled,
    legacy_sms_setting,
    preference_update,
    preferred,
    with_factors,
    with_legacy_sms,
)
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, open_challenge, pending_challenge
from userpool.services.tokens.steps.tokens import authenticate_access_token
from userpool.store.base import Tx

# Key of an MFA_SETUP Session's state: a software token was verified through this sign-in.
SOFTWARE_TOKEN_VERIFIED = "software_token_verified"  # noqa: S105 (a state key)
# Cognito's messages: the TOTP developer guide's for a pool without TOTP, the service's for a wrong code.
TOTP_NOT_IN_POOL = "Software Token MFA has not been enabled by the userPool"
CODE_MISMATCH = "Code mismatch and fail enable Software Token MFA"
NOT_ASSOCIATED = "Software Token MFA has not been associated with the user."
ONE_CREDENTIAL = "Exactly one of AccessToken and Session must be given."


class CodeCheck(StrEnum):
    """What a code of the user's verified authenticator turned out to be."""

    ACCEPTED = "accepted"  # fresh, and now spent
    SPENT = "spent"  # right for a step of the window, but that step or a later one was accepted already
    WRONG = "wrong"  # no step of the window has it


@dataclass(frozen=True, slots=True)
class _Caller:
    """Whom a software-token request speaks for; ``challenge`` is the MFA_SETUP Session in that mode."""

    pool: Pool
    client: Client
    user: User
    challenge: ChallengeSession | None


def _setup_caller(ctx: Ctx, tx: Tx, session: str) -> _Caller:
    # The request names no client: the Session says which one it was issued to.
    stored = tx.auth_challenges.get(digest(session))
    client = tx.clients.get(stored.client_id) if stored is not None else None
    if client is None:
        raise NotAuthorizedException(INVALID_SESSION)
    challenge = pending_challenge(ctx, tx, client, session, ChallengeName.MFA_SETUP)
    pool = tx.pools.get(challenge.pool_id)
    user = tx.users.get_by_sub(challenge.pool_id, challenge.sub)
    if pool is None or user is None:
        raise NotAuthorizedException(INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return _Caller(pool, client, user, challenge)


def _caller(ctx: Ctx, tx: Tx, req: dict[str, Any]) -> _Caller:
    """The caller of AssociateSoftwareToken / VerifySoftwareToken: by access token or by MFA_SETUP Session,
    never both; refused unless the pool offers software token MFA (TOTP developer guide)."""
    token, session = req.get("AccessToken"), req.get("Session")
    if (token is None) == (session is None):
        raise InvalidParameterException(ONE_CREDENTIAL)
    if token is not None:
        access = authenticate_access_token(ctx, tx, token)
        caller = _Caller(access.pool, access.client, access.user, None)
    else:
        caller = _setup_caller(ctx, tx, str(session))
    if TOTP not in enabled_factors(caller.pool.config):
        raise SoftwareTokenMFANotFoundException(TOTP_NOT_IN_POOL)
    return caller


def _next_session(ctx: Ctx, tx: Tx, caller: _Caller, state: dict[str, Any]) -> str:
    """Consume the caller's MFA_SETUP Session and open its successor, carrying its state forward."""
    assert caller.challenge is not None
    if not tx.auth_challenges.consume(caller.challenge.session_hash):
        raise NotAuthorizedException(INVALID_SESSION)
    merged = {**caller.challenge.state, **state}
    opened = open_challenge(ctx, tx, caller.pool, caller.client, caller.user, ChallengeName.MFA_SETUP, merged)
    return str(opened["Session"])


def associate_software_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Hand the user a new TOTP secret to verify: AssociateSoftwareToken.

    The secret is kept sealed as the user's pending secret; a token verified earlier keeps working until
    this one is verified. With a Session, the answer carries the next Session of the MFA_SETUP challenge.
    """
    secret = totp.new_secret()
    with ctx.store.write() as tx:
        caller = _caller(ctx, tx, req)
        tx.software_tokens.associate(caller.pool.id, caller.user.sub, secret, ctx.now)
        body: dict[str, Any] = {"SecretCode": secret}
        if caller.challenge is not None:
            body["Session"] = _next_session(ctx, tx, caller, {})
    return body


def _accept_code(ctx: Ctx, tx: Tx, token: SoftwareToken, code: str) -> CodeCheck:
    """Whether ``code`` is a fresh code of the verified secret; records its step, so it is accepted once."""
    if token.secret is None:
        return CodeCheck.WRONG
    step = totp.matching_step(token.secret, code, ctx.now, after=token.last_step)
    if step is not None and tx.software_tokens.accept_step(token, step, ctx.now):
        return CodeCheck.ACCEPTED
    # Not fresh: a code of the window all the same (used before, or by a concurrent request just now) is a
    # replay, which Cognito tells apart from a wrong code.
    return CodeCheck.SPENT if totp.matching_step(token.secret, code, ctx.now) is not None else CodeCheck.WRONG


def _verify(ctx: Ctx, tx: Tx, user: User, code: str, friendly_name: str | None) -> None:
    token = tx.software_tokens.get(user.pool_id, user.sub)
    if token is None or (token.secret is None and token.pending_secret is None):
        raise SoftwareTokenMFANotFoundException(NOT_ASSOCIATED)
    if token.pending_secret is not None:
        step = totp.matching_step(token.pending_secret, code, ctx.now)
        accepted = step is not None and tx.software_tokens.promote(token, step, friendly_name, ctx.now)
    else:
        # Nothing pending: the code confirms the verified token again, and is then spent like any other.
        accepted = _accept_code(ctx, tx, token, code) is CodeCheck.ACCEPTED
    if not accepted:
        raise EnableSoftwareTokenMFAException(CODE_MISMATCH)


def verify_software_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Check a code of the user's pending TOTP secret and make it the verified one: VerifySoftwareToken.

    A code of the current, previous or next 30-second step is accepted, once: the step is recorded by a
    conditional write, so of concurrent requests with the same code exactly one succeeds, and a wrong or
    spent code is EnableSoftwareTokenMFAException. With an access token this only verifies the token (AWS:
    SetUserMFAPreference then turns TOTP MFA on); in an MFA_SETUP sign-in, TOTP MFA is turned on, and made
    preferred when no other factor is, and the answer carries the next Session.
    """
    with ctx.store.write() as tx:
        caller = _caller(ctx, tx, req)
        _verify(ctx, tx, caller.user, req["UserCode"], req.get("FriendlyDeviceName"))
        body: dict[str, Any] = {"Status": "SUCCESS"}
        if caller.challenge is not None:
            user = caller.user
            mfa = with_factors(user.mfa, {*enabled(user), TOTP}, preferred(user) or TOTP)
            if mfa != user.mfa:
                tx.users.update(replace(user, mfa=mfa, updated_at=ctx.now))
            body["Session"] = _next_session(ctx, tx, caller, {SOFTWARE_TOKEN_VERIFIED: True})
    return body


def _save_preference(ctx: Ctx, tx: Tx, pool: Pool, user: User, req: dict[str, Any]) -> None:
    token = tx.software_tokens.get(pool.id, user.sub)
    asks_passkey = bool((req.get("WebAuthnMfaSettings") or {}).get("Enabled"))
    has_passkey = asks_passkey and tx.webauthn_credentials.count(pool.id, user.sub) > 0
    mfa = preference_update(pool, user, req, token is not None and token.verified, has_passkey)
    if mfa != user.mfa:
        tx.users.update(replace(user, mfa=mfa, updated_at=ctx.now))


def set_user_mfa_preference(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Turn the signed-in user's MFA factors on or off and choose the preferred one: SetUserMFAPreference
    (rules in model/user_mfa.py ``preference_update``)."""
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        _save_preference(ctx, tx, access.pool, access.user, req)
    return {}


def admin_set_user_mfa_preference(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """SetUserMFAPreference for a user named by username, alias or sub: AdminSetUserMFAPreference."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        _save_preference(ctx, tx, pool, user_or_404(tx, pool, req["Username"]), req)
    return {}


def admin_set_user_settings(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Turn a user's SMS MFA on (MFAOptions naming SMS to phone_number) or off (an empty list), the legacy
    way: AdminSetUserSettings (superseded by AdminSetUserMFAPreference)."""
    on = legacy_sms_setting(list(req["MFAOptions"]))
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        mfa = with_legacy_sms(user, on)
        if mfa != user.mfa:
            tx.users.update(replace(user, mfa=mfa, updated_at=ctx.now))
    return {}


def admin_delete_software_token(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Forget a user's authenticator (a lost phone): AdminDeleteSoftwareToken. Its software token MFA is turned
    off and no longer preferred; its other factors stay as they are. The next sign-in asks for another factor
    the user has, or, where the pool requires MFA and none is left, to set one up (MFA_SETUP)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        user = user_or_404(tx, pool, req["Username"])
        if not tx.software_tokens.delete(pool.id, user.sub):
            raise ResourceNotFoundException(NOT_ASSOCIATED)
        if TOTP in enabled(user):
            choice = preferred(user)
            mfa = with_factors(user.mfa, set(enabled(user)) - {TOTP}, None if choice == TOTP else choice)
            tx.users.update(replace(user, mfa=mfa, updated_at=ctx.now))
    return {}


# -- for the sign-in flows ------------------------------------------------------------------------------


def software_token_set_up(challenge: ChallengeSession) -> bool:
    """Whether VerifySoftwareToken succeeded with this MFA_SETUP Session (RespondToAuthChallenge MFA_SETUP)."""
    return bool(challenge.state.get(SOFTWARE_TOKEN_VERIFIED))


def accept_software_token_code(ctx: Ctx, tx: Tx, user: User, code: str) -> CodeCheck:
    """Whether ``code`` answers a SOFTWARE_TOKEN_MFA challenge for ``user``: a code of the verified secret
    within ±1 step, of a step later than any accepted before (ACCEPTED), a code of the window already
    spent (SPENT), or neither. Call it in the write transaction that concludes the step; ACCEPTED has
    already spent the code."""
    token = tx.software_tokens.get(user.pool_id, user.sub)
    return CodeCheck.WRONG if token is None else _accept_code(ctx, tx, token, code)


def software_token_name(tx: Tx, user: User) -> str | None:
    """The FriendlyDeviceName given when the user's authenticator was verified, if any."""
    token = tx.software_tokens.get(user.pool_id, user.sub)
    return token.friendly_name if token is not None else None
