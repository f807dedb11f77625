"""Compromised-credentials detection (Cognito developer guide: 'Working with compromised-credentials
detection'): whether a password a user sends is one known from breaches (``ctx.deps.breached_passwords``: the
built-in list and the imported Pwned Passwords corpus, userpool/breached/), and what the pool does about it.

It runs where a password is seen in clear, for the events the effective risk configuration's
CompromisedCredentialsRiskConfiguration.EventFilter names (all three by default):

- SIGN_UP: SignUp (and the hosted sign-up page).
- PASSWORD_CHANGE: ChangePassword, ConfirmForgotPassword and the NEW_PASSWORD_REQUIRED answer (and the hosted
  reset and new-password pages). Passwords an administrator sets (AdminCreateUser's temporary password,
  AdminSetUserPassword) are no user event and are not checked.
- SIGN_IN: the password flows, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH), USER_AUTH's
  PASSWORD and the hosted login page, once the password is known to be right. SRP sign-ins send no password
  and are not checked, as in Cognito ("doesn't check for compromised credentials for sign-in operations with
  Secure Remote Password (SRP) flow").

Only a pool whose AdvancedSecurityMode is AUDIT or ENFORCED checks, under the client's risk configuration,
else the pool's; a configuration without CompromisedCredentialsRiskConfiguration checks nothing. In ENFORCED
mode with EventAction BLOCK a detection is refused: a new password with InvalidPasswordException, a sign-in
by setting the user's status to RESET_REQUIRED ("When Amazon Cognito blocks sign-in for a user, it sets the
user's UserStatus to RESET_REQUIRED. A user with a RESET_REQUIRED status must change their password before they
can sign in again"), so the sign-in is answered as a RESET_REQUIRED user's is. In AUDIT mode, or with
NO_ACTION, the operation goes on and the detection is only reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.context import Ctx
from userpool.errors import InvalidPasswordException
from userpool.model.pool_config import advanced_security_mode
from userpool.model.records import Pool, User
from userpool.model.risk_configuration import compromised_credentials_action
from userpool.model.vocabulary import UserStatus
from userpool.store.base import Tx

SIGN_UP = "SIGN_UP"
PASSWORD_CHANGE = "PASSWORD_CHANGE"  # noqa: S105 - an event filter's name
SIGN_IN = "SIGN_IN"
# Cognito's answer to a new password it blocks as compromised.
BLOCKED_PASSWORD = "Provided password cannot be used for security reasons."  # noqa: S105 - a message


@dataclass(frozen=True, slots=True)
class Detection:
    """What the check found: ``detected`` (CompromisedCredentialsDetected of the event), and ``block`` when the
    pool's mode and configuration refuse it."""

    detected: bool = False
    block: bool = False


NOTHING = Detection()


def detect(ctx: Ctx, tx: Tx | None, pool: Pool, client_id: str, event: str, password: str) -> Detection:
    """Check ``password``, sent through app client ``client_id`` at ``event`` (SIGN_UP, PASSWORD_CHANGE,
    SIGN_IN). ``tx``: a transaction the caller has open, else the risk configuration is read in one of its
    own. A pool whose threat protection is off reads nothing and checks nothing."""
    mode = advanced_security_mode(pool)
    if mode == "OFF":
        return NOTHING
    if tx is None:
        with ctx.store.read() as own:
            config = own.risk_configurations.for_client(pool.id, client_id)
    else:
        config = tx.risk_configurations.for_client(pool.id, client_id)
    action = compromised_credentials_action(config, event)
    if action is None or not ctx.deps.breached_passwords.contains(password):
        return NOTHING
    if ctx.event_note is not None:
        # The call's auth event says so: CompromisedCredentialsDetected (event_log.py, sign_in_watch.py).
        ctx.event_note.compromised = True
    return Detection(detected=True, block=mode == "ENFORCED" and action == "BLOCK")


def check_new_password(ctx: Ctx, tx: Tx | None, pool: Pool, client_id: str, event: str, password: str) -> Detection:
    """For a password being set (SIGN_UP, PASSWORD_CHANGE): InvalidPasswordException when it is blocked, else
    what was detected. Called with the password policy's check, before anything is written."""
    found = detect(ctx, tx, pool, client_id, event, password)
    if found.block:
        raise InvalidPasswordException(BLOCKED_PASSWORD)
    return found


def require_reset(ctx: Ctx, pool: Pool, user: User) -> User:
    """Block a sign-in with a compromised password: the user becomes RESET_REQUIRED (its own transaction), and
    must set a new password (ForgotPassword, ConfirmForgotPassword) before signing in again."""
    with ctx.store.write() as tx:
        current = tx.users.get_by_sub(pool.id, user.sub)
        if current is None:
            return replace(user, status=UserStatus.RESET_REQUIRED)
        blocked = replace(current, status=UserStatus.RESET_REQUIRED, updated_at=ctx.now)
        tx.users.update(blocked)
    return blocked
