"""One-time codes as stored, and the rules for issuing and checking them (ConfirmSignUp,
ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword, attribute
verification).

Cognito developer guide: 'Configuring email or phone verification' and 'Quotas in Amazon Cognito'. A user holds at most
one live code per purpose; a new one replaces it. Two per-user counters run in one-hour windows and survive a
replacement, so asking for a fresh code never buys more guesses:

- wrong entries: ConfirmSignUp and attribute verification allow 15 an hour (AWS quota), ConfirmForgotPassword
  5 (the low end of AWS's "between 5 and 20 attempts in a given hour", as Amplify users observe it);
- codes issued: ResendConfirmationCode and ForgotPassword 5 an hour (AWS quota for ResendConfirmationCode;
  the same low end for ForgotPassword).

Past either cap the answer is LimitExceededException "Attempt limit exceeded, please try after some time.",
the error AWS clients report in both places, until the window has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException

SIGNUP = "signup"
FORGOT_PASSWORD = "forgot_password"  # noqa: S105 - a purpose name
VERIFY_EMAIL = "verify_email"
VERIFY_PHONE_NUMBER = "verify_phone_number"
# The code of an SMS_MFA or EMAIL_OTP challenge: one per user, replaced by the next sign-in's.
MFA_SMS = "mfa_sms"
MFA_EMAIL = "mfa_email"

WINDOW_SECONDS = 3600.0
_HOUR = 3600.0
_DAY = 24 * _HOUR

ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."


@dataclass(frozen=True, slots=True)
class CodeRules:
    """How long a code of one purpose lives and how many wrong entries and new codes an hour allow."""

    validity_seconds: float
    max_failures: int
    max_issued: int


RULES = {
    SIGNUP: CodeRules(_DAY, 15, 5),
    FORGOT_PASSWORD: CodeRules(_HOUR, 5, 5),
    VERIFY_EMAIL: CodeRules(_DAY, 15, 5),
    VERIFY_PHONE_NUMBER: CodeRules(_DAY, 15, 5),
    # Sign-in codes live three minutes (Cognito's SMS MFA codes do; email OTP alike). Five wrong entries an
    # hour, as for password resets; twenty codes an hour bound what a script can make the pool send.
    MFA_SMS: CodeRules(180.0, 5, 20),
    MFA_EMAIL: CodeRules(180.0, 5, 20),
}


@dataclass(frozen=True, slots=True)
class OneTimeCode:
    """The live code of one (pool, user, purpose), with its attempt counters.

    ``attribute`` names what the code was sent to (``email`` / ``phone_number``), so confirming it can
    mark that attribute verified. ``attempts_since`` / ``issued_since`` open the counters' windows.
    """

    pool_id: str
    sub: str
    purpose: str
    code_hash: str
    attribute: str | None
    expires_at: float
    attempts: int
    attempts_since: float | None
    issued: int
    issued_since: float | None
    created_at: float


def _counter(count: int, since: float | None, now: float) -> tuple[int, float | None]:
    """The counter as it stands at ``now``: back to zero once its window has passed."""
    if since is None or now - since >= WINDOW_SECONDS:
        return 0, None
    return count, since


def issue(
    previous: OneTimeCode | None,
    *,
    pool_id: str,
    sub: str,
    purpose: str,
    code_hash: str,
    attribute: str | None,
    now: float,
    capped: bool = True,
) -> OneTimeCode:
    """The row that replaces ``previous`` when a new code is sent; LimitExceededException past the cap.

    ``capped`` is False where an administrator, not the user, asks for the code (AdminResetUserPassword).
    """
    rules = RULES[purpose]
    attempts, attempts_since = (
        (0, None) if previous is None else _counter(previous.attempts, previous.attempts_since, now)
    )
    issued, issued_since = (0, None) if previous is None else _counter(previous.issued, previous.issued_since, now)
    if capped and issued >= rules.max_issued:
        raise LimitExceededException(ATTEMPT_LIMIT)
    return OneTimeCode(
        pool_id=pool_id,
        sub=sub,
        purpose=purpose,
        code_hash=code_hash,
        attribute=attribute,
        expires_at=now + rules.validity_seconds,
        attempts=attempts,
        attempts_since=attempts_since,
        issued=issued + 1,
        issued_since=issued_since if issued_since is not None else now,
        created_at=now,
    )


def usable(stored: OneTimeCode | None, now: float) -> OneTimeCode:
    """The stored code if a guess may be checked against it now.

    Raises LimitExceededException while the wrong-entry cap holds (the right code included: a guesser must
    not learn that it found it), ExpiredCodeException when there is no code or it has expired.
    """
    if stored is None:
        raise ExpiredCodeException(CODE_EXPIRED)
    attempts, _ = _counter(stored.attempts, stored.attempts_since, now)
    if attempts >= RULES[stored.purpose].max_failures:
        raise LimitExceededException(ATTEMPT_LIMIT)
    if now >= stored.expires_at:
        raise ExpiredCodeException(CODE_EXPIRED)
    return stored


def after_failure(stored: OneTimeCode, now: float) -> OneTimeCode:
    """The row after one more wrong entry."""
    attempts, since = _counter(stored.attempts, stored.attempts_since, now)
    return replace(stored, attempts=attempts + 1, attempts_since=since if since is not None else now)


def forgotten_at(stored: OneTimeCode) -> float:
    """When the code and both its counters have run out: a record of it kept for nothing else may be
    deleted then."""
    ends = [stored.expires_at]
    ends += [since + WINDOW_SECONDS for since in (stored.attempts_since, stored.issued_since) if since is not None]
    return max(ends)


def mismatch() -> CodeMismatchException:
    return CodeMismatchException(CODE_MISMATCH)
