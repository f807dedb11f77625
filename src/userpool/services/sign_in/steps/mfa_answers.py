"""Answers to the second-factor challenges (AWS: RespondToAuthChallenge API reference): SMS_MFA, EMAIL_OTP,
SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP, through RespondToAuthChallenge / AdminRespondToAuthChallenge and the
hosted pages alike.

A wrong code leaves the Session usable, so the user may try again; the Session is consumed by the answer
that succeeds. Wrong SMS and email codes count against the code's attempt limit (model/codes.py); wrong
authenticator codes count towards the user's sign-in lockout, as wrong passwords do. No code is accepted
twice: an SMS or email code is deleted when used, a TOTP step is recorded (services/sign_in/mfa.py), and a TOTP code
presented again is ExpiredCodeException, as on Cognito.
"""

from __future__ import annotations

from userpool.context import Ctx
from userpool.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from userpool.model.lockout import LOCKED_MESSAGE, count_attempt, is_locked
from userpool.model.pool_mfa import EMAIL, SMS, TOTP
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, status_refusal
from userpool.model.token_records import ChallengeSession, SignInCounters
from userpool.model.user_mfa import MfaDecision
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.app_clients import check_secret_hash
from userpool.services.sign_in.mfa import CodeCheck, accept_software_token_code, software_token_set_up
from userpool.services.sign_in.steps.calls import ChallengeCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, pending_challenge
from userpool.services.sign_in.steps.mfa_challenges import CODE_PURPOSE, OPTIONS, open_second_factor
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, end, lookup_user, same_user
from userpool.services.users.steps.code_delivery import check_code
from userpool.store.base import Tx

CODE_MISMATCH = "Invalid code received for user"
# Cognito's answer to an authenticator code that was right once and is presented again.
TOKEN_SPENT = "Your software token has already been used once."  # noqa: S105 (a message)
# The ChallengeResponses member that carries each challenge's code; SMS_OTP is the passwordless first
# factor that sends its code as SMS_MFA does (user_auth.py).
CODE_MEMBER: dict[str, str] = {
    SMS: "SMS_MFA_CODE",
    EMAIL: "EMAIL_OTP_CODE",
    TOTP: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeName.SMS_OTP: "SMS_OTP_CODE",
}
# The MFA factor whose code each code challenge checks: SMS_OTP's code is sent as SMS_MFA's is.
CODE_FACTOR: dict[str, str] = {SMS: SMS, EMAIL: EMAIL, ChallengeName.SMS_OTP: SMS}


def challenged_user(ctx: Ctx, tx: Tx, call: ChallengeCall) -> tuple[ChallengeSession, User]:
    """The live Session of the challenge answered and the user it was issued for, who must be the one the
    USERNAME names and still allowed to sign in."""
    username = required_parameter(call.responses, "USERNAME")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    pending = pending_challenge(ctx, tx, call.client, call.session, call.challenge)
    user = tx.users.get_by_sub(call.pool.id, pending.sub)
    if user is None or not same_user(user, username, lookup_user(tx, call.pool, username)):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    refusal = status_refusal(user, hides_users=False)
    if refusal is not None:
        raise refusal
    return pending, user


def _finish(ctx: Ctx, tx: Tx, pool: Pool, client: Client, user: User, pending: ChallengeSession) -> Outcome:
    # Consumed in the transaction that ends the step: of two concurrent right answers only one goes on.
    if not tx.auth_challenges.consume(pending.session_hash):
        raise NotAuthorizedException(INVALID_SESSION)
    return end(ctx, tx, pool, client, user, Attempt.from_state(pending.state))


def code_answer(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """SMS_MFA {SMS_MFA_CODE} / EMAIL_OTP {EMAIL_OTP_CODE}, and SMS_OTP {SMS_OTP_CODE}: the code this
    sign-in sent."""
    purpose = CODE_PURPOSE[CODE_FACTOR[call.challenge]]
    given = required_parameter(call.responses, CODE_MEMBER[call.challenge])
    matched = False
    with ctx.store.write() as tx:
        pending, user = challenged_user(ctx, tx, call)
        stored = check_code(ctx, tx, user, purpose, given)
        if stored is not None:
            matched = True
            tx.codes.delete(call.pool.id, user.sub, purpose)
            outcome = _finish(ctx, tx, call.pool, call.client, user, pending)
    # A wrong code was counted in the transaction above, which had to commit first.
    if not matched:
        raise CodeMismatchException(CODE_MISMATCH)
    return outcome


def _count_wrong_code(tx: Tx, ctx: Ctx, user: User, counters: SignInCounters | None) -> None:
    tx.sign_in_counters.set_attempts(user.pool_id, user.sub, count_attempt(counters or SignInCounters(), ctx.now))


def software_token_answer(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """SOFTWARE_TOKEN_MFA {SOFTWARE_TOKEN_MFA_CODE}: a current code of the user's verified authenticator."""
    given = required_parameter(call.responses, CODE_MEMBER[TOTP])
    accepted = False
    with ctx.store.write() as tx:
        pending, user = challenged_user(ctx, tx, call)
        counters = tx.sign_in_counters.get(call.pool.id, user.sub, for_update=True)
        if counters is not None and is_locked(counters, ctx.now):
            raise NotAuthorizedException(LOCKED_MESSAGE)
        check = accept_software_token_code(ctx, tx, user, given)
        if check is CodeCheck.SPENT:
            # Not a guess (the code was right), so not counted; the Session stays usable for a fresh code.
            raise ExpiredCodeException(TOKEN_SPENT)
        if check is CodeCheck.ACCEPTED:
            accepted = True
            outcome = _finish(ctx, tx, call.pool, call.client, user, pending)
        else:
            _count_wrong_code(tx, ctx, user, counters)
    if not accepted:
        raise CodeMismatchException(CODE_MISMATCH)
    return outcome


def select_mfa_type(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """SELECT_MFA_TYPE {ANSWER}: one of MFAS_CAN_CHOOSE; its challenge follows (a code is sent for SMS and
    email)."""
    answer = required_parameter(call.responses, "ANSWER")
    with ctx.store.write() as tx:
        pending, user = challenged_user(ctx, tx, call)
        if answer not in (pending.state.get(OPTIONS) or []):
            raise InvalidParameterException(f"{answer} is not one of the MFA types offered to the user.")
        if not tx.auth_challenges.consume(pending.session_hash):
            raise NotAuthorizedException(INVALID_SESSION)
        state = {k: v for k, v in pending.state.items() if k != OPTIONS}
        opened, sent = open_second_factor(ctx, tx, call.pool, call.client, user, MfaDecision(answer), state)
        return Outcome(challenge=opened, sign_in_code=sent)


def mfa_setup(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """MFA_SETUP {USERNAME} with the Session VerifySoftwareToken returned: the authenticator the user just
    set up is the second factor, and the sign-in ends."""
    with ctx.store.write() as tx:
        pending, user = challenged_user(ctx, tx, call)
        if not software_token_set_up(pending):
            raise InvalidParameterException(
                "Set up a software token with AssociateSoftwareToken and VerifySoftwareToken, using this "
                "Session, before answering MFA_SETUP."
            )
        return _finish(ctx, tx, call.pool, call.client, user, pending)
