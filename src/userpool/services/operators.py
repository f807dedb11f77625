"""Admin console operators: accounts (argon2id), sign-in with lockout on guessing, and server-side sessions
with an idle timeout. Console access is separate from every pool's users (issue 7, design §6).

A session cookie holds a random value; the server keeps only its SHA-256, so a session is revocable and a
copied database holds no live cookie.
"""

from __future__ import annotations

import dataclasses
import re

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.operators import Operator, OperatorSession
from userpool.store.base import Conflict, NotFound

# Five wrong passwords in a row lock the account for fifteen minutes: guessing an operator's password online
# is then hopeless, and a mistyping operator is not locked out for long.
MAX_FAILED_SIGN_INS = 5
LOCK_SECONDS = 900
# However active, a session ends after a working day.
SESSION_LIFETIME_SECONDS = 12 * 3600
# last_seen_at is written at most this often: the idle timeout does not need a write on every page.
_TOUCH_EVERY_SECONDS = 15
_MAX_COOKIE = 256
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,128}")


class OperatorError(ValueError):
    """An operator account request that cannot be done; the message is for the person at the console."""


class SignInRefused(Exception):
    """Wrong username or password, or an account locked after too many of them."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "refused")
        self.locked = locked


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or len(password) > 256:
        raise OperatorError(f"The password must have {MIN_PASSWORD_LENGTH} to 256 characters.")


def create_operator(ctx: Ctx, username: str, password: str) -> Operator:
    """A new console operator (``userpool console-admin create``, or the first one at bootstrap)."""
    if not _USERNAME.fullmatch(username):
        raise OperatorError("The username must be 1 to 128 letters, digits or . _ @ + -")
    check_new_password(password)
    operator = Operator(username, ctx.deps.hasher.hash(password), ctx.now)
    try:
        with ctx.store.write() as tx:
            tx.operators.add(operator)
    except Conflict:
        raise OperatorError(f"An operator named {username} exists already.") from None
    return operator


def list_operators(ctx: Ctx) -> list[Operator]:
    with ctx.store.read() as tx:
        return tx.operators.list()


def delete_operator(ctx: Ctx, username: str) -> None:
    """Remove the operator; its sessions end with it."""
    try:
        with ctx.store.write() as tx:
            tx.operators.delete(username)
    except NotFound:
        raise OperatorError(f"There is no operator named {username}.") from None


def sign_in(ctx: Ctx, username: str, password: str) -> str:
    """Check the password and open a session; returns the cookie value (never stored).

    The hash is verified outside any transaction (design §3); an unknown username costs the same as a wrong
    password. A locked account is refused without looking at the password, so guesses made while it is
    locked tell nothing.
    """
    with ctx.store.read() as tx:
        found = tx.operators.get(username) if _USERNAME.fullmatch(username) else None
    if found is not None and found.locked_until is not None and found.locked_until > ctx.now:
        raise SignInRefused(locked=True)
    good = ctx.deps.hasher.verify(found.password_hash if found else None, password)
    if found is None:
        raise SignInRefused(locked=False)
    value = new_opaque_value()
    with ctx.store.write() as tx:
        current = tx.operators.get(username, for_update=True)
        if current is None:
            raise SignInRefused(locked=False)
        if not good:
            failed = current.failed_sign_ins + 1
            locked = failed >= MAX_FAILED_SIGN_INS
            tx.operators.update(
                dataclasses.replace(
                    current,
                    failed_sign_ins=0 if locked else failed,
                    locked_until=ctx.now + LOCK_SECONDS if locked else current.locked_until,
                )
            )
        else:
            tx.operators.update(
                dataclasses.replace(current, failed_sign_ins=0, locked_until=None, last_sign_in_at=ctx.now)
            )
            tx.operator_sessions.delete_expired(ctx.now, ctx.now - ctx.settings.console_idle_timeout_seconds)
            tx.operator_sessions.add(
                OperatorSession(digest(value), username, ctx.now, ctx.now, ctx.now + SESSION_LIFETIME_SECONDS)
            )
    if not good:
        raise SignInRefused(locked=False)
    return value


def signed_in_operator(ctx: Ctx, cookie: str | None) -> str | None:
    """The operator a console cookie speaks for; None for no, an unknown, an expired or an idle session
    (which is then forgotten). Each use moves the idle timeout on."""
    if not cookie or len(cookie) > _MAX_COOKIE:
        return None
    key = digest(cookie)
    with ctx.store.read() as tx:
        session = tx.operator_sessions.get(key)
    if session is None:
        return None
    idle = ctx.now - session.last_seen_at > ctx.settings.console_idle_timeout_seconds
    if idle or session.expires_at <= ctx.now:
        with ctx.store.write() as tx:
            tx.operator_sessions.delete(key)
        return None
    if ctx.now - session.last_seen_at >= _TOUCH_EVERY_SECONDS:
        with ctx.store.write() as tx:
            tx.operator_sessions.touch(key, ctx.now)
    return session.username


def sign_out(ctx: Ctx, cookie: str | None) -> None:
    if not cookie or len(cookie) > _MAX_COOKIE:
        return
    with ctx.store.write() as tx:
        tx.operator_sessions.delete(digest(cookie))
