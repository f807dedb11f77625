"""A user's own account, authorized by its access token: ChangePassword, DeleteUser, SetUserSettings and
GetUserAuthFactors.

Operations authorized by an access token (Cognito developer guide: 'Understanding API, OIDC, and managed login pages
authentication'); the password policy ('Passwords, password recovery, and password policies'); ChangePassword
allows 5 attempts an hour per user ('Quotas in Amazon Cognito').

Wrong previous passwords are counted per user in the code store, under a ``change_password`` row that holds
no code, only the one-hour attempt window (the same counter shape as model/codes.py), so that every worker
and instance sees the same count.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
    NotAuthorizedException,
)
from userpool.model.auth_events import EventResponse, EventType
from userpool.model.codes import ATTEMPT_LIMIT, WINDOW_SECONDS, OneTimeCode
from userpool.model.password_policy import check_password
from userpool.model.records import Pool, User
from userpool.model.risk_assessment import EventNote, event_context
from userpool.model.sign_in import WRONG_CREDENTIALS
from userpool.model.user_mfa import legacy_sms_setting, with_legacy_sms
from userpool.model.vocabulary import UserStatus
from userpool.services.threat_protection.steps import compromised_credentials
from userpool.services.threat_protection.steps.event_log import record_user_event
from userpool.services.tokens.steps.tokens import authenticate_access_token
from userpool.services.users.steps.auth_factors import auth_factors
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.password_history import check_not_reused, recent_passwords, remember_replaced
from userpool.store.base import Tx

CHANGE_PASSWORD = "change_password"  # noqa: S105 - a purpose name
MAX_CHANGE_PASSWORD_FAILURES = 5


def _failures(tx: Tx, pool_id: str, sub: str, now: float, for_update: bool = False) -> OneTimeCode | None:
    """The user's ChangePassword failure window, if one is open at ``now``."""
    row = tx.codes.get(pool_id, sub, CHANGE_PASSWORD, for_update=for_update)
    if row is None or row.attempts_since is None or now - row.attempts_since >= WINDOW_SECONDS:
        return None
    return row


def _check_attempts_left(tx: Tx, pool_id: str, sub: str, now: float) -> None:
    row = _failures(tx, pool_id, sub, now)
    if row is not None and row.attempts >= MAX_CHANGE_PASSWORD_FAILURES:
        raise LimitExceededException(ATTEMPT_LIMIT)


def _count_failure(ctx: Ctx, pool_id: str, sub: str) -> None:
    now = ctx.now
    with ctx.store.write() as tx:
        row = _failures(tx, pool_id, sub, now, for_update=True)
        attempts, since = (row.attempts, row.attempts_since) if row is not None else (0, now)
        tx.codes.put(
            OneTimeCode(
                pool_id=pool_id,
                sub=sub,
                purpose=CHANGE_PASSWORD,
                code_hash="",
                attribute=None,
                expires_at=(since or now) + WINDOW_SECONDS,
                attempts=attempts + 1,
                attempts_since=since,
                issued=0,
                issued_since=None,
                created_at=now,
            )
        )


def change_password(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Replace the signed-in user's password, given the current one: ChangePassword.

    The previous password is verified with argon2 outside any transaction, and the new one checked against
    the pool's password history and hashed there too. A wrong previous password is counted; past five an
    hour the answer is LimitExceededException, the right password included. Existing sign-ins stay valid,
    as in Cognito.
    """
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        pool, user = access.pool, access.user
        _check_attempts_left(tx, pool.id, user.sub, ctx.now)
        recent = recent_passwords(tx, pool, user)
    check_password(pool, req["ProposedPassword"])
    note = EventNote()
    try:
        compromised_credentials.check_new_password(
            replace(ctx, event_note=note),
            None,
            pool,
            access.client.id,
            compromised_credentials.PASSWORD_CHANGE,
            req["ProposedPassword"],
        )
    except InvalidPasswordException:
        _password_change_event(ctx, pool, user, access.client.id, EventResponse.Fail, note.compromised)
        raise
    previous = req.get("PreviousPassword")
    if user.password_hash is not None:
        # Only a user without a password (passwordless sign-in) may set one without the old one.
        if not previous:
            raise InvalidParameterException("Missing required parameter PreviousPassword")
        if not ctx.deps.hasher.verify(user.password_hash, previous):
            _count_failure(ctx, pool.id, user.sub)
            _password_change_event(ctx, pool, user, access.client.id, EventResponse.Fail, note.compromised)
            raise NotAuthorizedException(WRONG_CREDENTIALS)
    elif user.status == UserStatus.EXTERNAL_PROVIDER:
        # Its identity provider signs it in: a password it set itself would outlast the provider's say (an
        # administrator may give it one with AdminSetUserPassword).
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    check_not_reused(ctx, recent, req["ProposedPassword"])
    password = new_password(ctx, user, req["ProposedPassword"])
    with ctx.store.write() as tx:
        # Checked again: the token may have been revoked, or the password changed, while hashing.
        current = authenticate_access_token(ctx, tx, req["AccessToken"]).user
        if current.password_hash != user.password_hash:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        tx.users.update(replace(with_password(current, password), password_expires_at=None, updated_at=ctx.now))
        remember_replaced(ctx, tx, pool, current)
        tx.codes.delete(pool.id, user.sub, CHANGE_PASSWORD)
    _password_change_event(ctx, pool, user, access.client.id, EventResponse.Pass, note.compromised)
    return {}


def _password_change_event(
    ctx: Ctx, pool: Pool, user: User, client_id: str | None, response: EventResponse, compromised: bool
) -> None:
    """The PasswordChange event of threat protection's history, from the request's own address and User-Agent
    (ChangePassword carries no UserContextData); ``compromised``: the new password is one known from breaches."""
    context = event_context(ctx.source_ip, {}, admin=False, propagates=False, user_agent=ctx.user_agent)
    record_user_event(ctx, pool, user, EventType.PasswordChange, response, context, client_id, compromised)


def delete_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete the signed-in user: DeleteUser. Its tokens then fail the user lookup."""
    with ctx.store.write() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        tx.users.delete(access.pool.id, access.user.sub)
    return {}


def set_user_settings(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Turn the signed-in user's SMS MFA on or off the legacy way: SetUserSettings (superseded by
    SetUserMFAPreference). MFAOptions may only name SMS to phone_number; an empty list turns SMS MFA off.
    GetUser / AdminGetUser show the result both as MFAOptions and in UserMFASettingList.
    """
    on = legacy_sms_setting(list(req["MFAOptions"]))
    with ctx.store.write() as tx:
        user = authenticate_access_token(ctx, tx, req["AccessToken"]).user
        mfa = with_legacy_sms(user, on)
        if mfa != user.mfa:
            tx.users.update(replace(user, mfa=mfa, updated_at=ctx.now))
    return {}


def get_user_auth_factors(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's MFA settings and the USER_AUTH first factors it can use: GetUserAuthFactors."""
    with ctx.store.read() as tx:
        access = authenticate_access_token(ctx, tx, req["AccessToken"])
        return auth_factors(tx, access.pool, access.user)
