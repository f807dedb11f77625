"""Admin console operators: accounts (argon2id), sign-in with lockout on guessing, and server-side sessions
with an idle timeout. Console access is separate from every pool's users (docs/architecture.md, Security invariants).

A session cookie holds a random value; the server keeps only its SHA-256, so a session is revocable and a
copied database holds no live cookie.

Guessing is counted per name typed, whether or not an operator has it, so that neither the answers, nor
the lock, nor the work done tell which names exist: per (name, client address), so that one
address guessing cannot lock the operator out of the others, and per name over all addresses, with a
ceiling much higher, so that guesses spread over many addresses are still bounded. Each attempt is
counted, in the database that every worker and instance shares, before its password is looked at: racing
attempts get exactly as many password checks as the limits allow.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.operators import Operator, OperatorSession
from userpool.store.base import Conflict, NotFound

# Five wrong passwords from one address lock that address out of the name for fifteen minutes: guessing an
# operator's password online is then hopeless, and a mistyping operator is not locked out for long.
ATTEMPTS_PER_ADDRESS = 5
# Twenty addresses' worth: a guess spread over many addresses gets at most this many tries per lock
# period, and only then is the name locked from every address, the operator's too.
ATTEMPTS_PER_NAME = 100
LOCK_SECONDS = 900
# Counters live LOCK_SECONDS after their last attempt. Every new counter costs the guesser a password hash
# on the server, so this many is out of reach of one server within a lock period; the cap bounds the table
# even against many, by forgetting the counters nearest their end first.
MAX_ATTEMPT_COUNTERS = 100_000
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
    """The operators, each with the end of its name's lock from every address (the per-name ceiling)."""
    with ctx.store.read() as tx:
        found = tx.operators.list()
        counts = {op.username: tx.console_attempts.get(_name_key(op.username), ctx.now) for op in found}
    listed = []
    for op in found:
        count = counts[op.username]
        locked = count is not None and count.attempts >= ATTEMPTS_PER_NAME
        listed.append(dataclasses.replace(op, locked_until=count.expires_at if count and locked else None))
    return listed


def delete_operator(ctx: Ctx, username: str) -> None:
    """Remove the operator; its sessions end with it."""
    try:
        with ctx.store.write() as tx:
            tx.operators.delete(username)
    except NotFound:
        raise OperatorError(f"There is no operator named {username}.") from None


def _name_key(username: str) -> str:
    return digest("name\0" + username)


def _address_key(username: str, address: str) -> str:
    # An IPv6 client usually holds a whole /64: counted as one address, or it would have 2^64 of them.
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        where = address
    else:
        where = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return digest("address\0" + username + "\0" + where)


def sign_in(ctx: Ctx, username: str, password: str) -> str:
    """Check the password and open a session; returns the cookie value (never stored).

    The attempt is counted first, in one short write, and a name locked for this address (or from every
    address) is refused without looking at the password. The hash is verified outside any transaction
    (docs/architecture.md, Storage), against a dummy hash for an unknown name, which costs the same.
    """
    by_address, by_name = _address_key(username, ctx.source_ip), _name_key(username)
    with ctx.store.write() as tx:
        attempts = tx.console_attempts
        if not (
            attempts.take(by_address, ATTEMPTS_PER_ADDRESS, ctx.now, LOCK_SECONDS, MAX_ATTEMPT_COUNTERS)
            and attempts.take(by_name, ATTEMPTS_PER_NAME, ctx.now, LOCK_SECONDS, MAX_ATTEMPT_COUNTERS)
        ):
            # Leaving the transaction by an exception also takes back the address's count.
            raise SignInRefused(locked=True)
        found = tx.operators.get(username) if _USERNAME.fullmatch(username) else None
    if not ctx.deps.hasher.verify(found.password_hash if found else None, password) or found is None:
        raise SignInRefused(locked=False)
    value = new_opaque_value()
    with ctx.store.write() as tx:
        current = tx.operators.get(username)
        if current is None:  # deleted meanwhile
            raise SignInRefused(locked=False)
        # The right password: this address starts afresh, and the name's count drops the attempt.
        tx.console_attempts.forget(by_address)
        tx.console_attempts.give_back(by_name, ctx.now)
        tx.operators.update(dataclasses.replace(current, last_sign_in_at=ctx.now))
        tx.operator_sessions.delete_expired(ctx.now, ctx.now - ctx.settings.console_idle_timeout_seconds)
        tx.operator_sessions.add(
            OperatorSession(digest(value), username, ctx.now, ctx.now, ctx.now + SESSION_LIFETIME_SECONDS)
        )
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
