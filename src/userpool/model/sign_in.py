"""The decisions of a password sign-in that depend only on the user and pool: which status refuses it, and what
follows a correct password (AWS: InitiateAuth API reference, Errors; Cognito developer guide: 'Managing user
existence error responses')."""

from __future__ import annotations

from userpool.errors import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from userpool.model.records import Pool, User
from userpool.model.vocabulary import ChallengeName, UserStatus

WRONG_CREDENTIALS = "Incorrect username or password."
TEMPORARY_PASSWORD_EXPIRED = "Temporary password has expired and must be reset by an administrator."  # noqa: S105 (a message)


def status_refusal(user: User, hides_users: bool) -> CognitoError | None:
    """The error a user's status or Enabled flag answers before any password is checked, or None.

    UNCONFIRMED is reported even for a wrong password (long-standing AWS behaviour).
    A RESET_REQUIRED user is indistinguishable from a missing one when the client hides users
    (Cognito developer guide: 'Managing user existence error responses').
    """
    if user.status == UserStatus.UNCONFIRMED:
        return UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.RESET_REQUIRED:
        if hides_users:
            return NotAuthorizedException(WRONG_CREDENTIALS)
        return PasswordResetRequiredException("Password reset required for the user")
    if not user.enabled:
        return NotAuthorizedException("User is disabled.")
    return None


def password_hash_for_sign_in(user: User) -> str | None:
    """The hash a password sign-in checks against: none when the user has no password or AdminDisableProviderForUser
    (ProviderName Cognito) took its password sign-in away; then every password is wrong, as a wrong one is."""
    return None if user.password_sign_in_disabled else user.password_hash


def srp_verifier_for_sign_in(user: User) -> str | None:
    """The SRP verifier a USER_SRP_AUTH sign-in checks against, on the same terms as the password's hash."""
    return None if user.password_sign_in_disabled or user.srp_salt is None else user.srp_verifier


def hidden_as_missing(user: User, hides_users: bool) -> bool:
    """Whether a sign-in must treat ``user`` as a name no user has: a RESET_REQUIRED user where the client
    hides which users exist (see status_refusal) gets all a missing one does, the lockout and SRP's
    simulated challenge included."""
    return hides_users and user.status == UserStatus.RESET_REQUIRED


def temporary_password_expired(user: User, now: float) -> bool:
    return (
        user.status == UserStatus.FORCE_CHANGE_PASSWORD
        and user.password_expires_at is not None
        and user.password_expires_at < now
    )


def first_step_after_password(pool: Pool, user: User, remembered_device: bool = False) -> str | None:
    """The challenge that comes straight after a verified password, if any:
    NEW_PASSWORD_REQUIRED for a temporary password, DEVICE_SRP_AUTH when the sign-in presented one of the
    user's remembered devices (which then stands in for a second factor). The second factor itself is
    decided next, by model/user_mfa.py ``mfa_decision``."""
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        return ChallengeName.NEW_PASSWORD_REQUIRED
    if remembered_device:
        return ChallengeName.DEVICE_SRP_AUTH
    return None
