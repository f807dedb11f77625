"""USER_AUTH, choice-based sign-in (InitiateAuth, AdminInitiateAuth), its SELECT_CHALLENGE and the passwordless
EMAIL_OTP / SMS_OTP first factors (Cognito developer guide: 'Authentication flows', choice-based); the WEB_AUTHN
(passkey) factor is in passkey_auth.py; GetUserAuthFactors, which lists a user's factors, is in
services/self_service/account.py.

Without a usable PREFERRED_CHALLENGE the sign-in answers SELECT_CHALLENGE with ``AvailableChallenges``: the
factors the pool allows and the user can use (model/first_factors.py). PASSWORD (with PASSWORD) and
PASSWORD_SRP (with SRP_A) then run exactly as USER_PASSWORD_AUTH and USER_SRP_AUTH do; EMAIL_OTP and
SMS_OTP send a code as the MFA challenges do (mfa_challenges.py: one live code per user, expiring,
attempt-limited, single use) and a right code ends the sign-in without a second factor.

Where the client hides which users exist, a name no user has is offered what a user with every factor of
the pool would be; its Sessions are sealed (unknown_user_sessions.py), its codes never sent and
never right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from userpool.model.destinations import simulated_details
from userpool.model.first_factors import OTP_ATTRIBUTE, allowed_factors, available_challenges, unknown_user_challenges
from userpool.model.pool_mfa import EMAIL, SMS
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, status_refusal
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.app_clients import check_secret_hash, hides_users
from userpool.services.sign_in.steps.calls import ChallengeCall, FlowCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, open_challenge, pending_challenge
from userpool.services.sign_in.steps.mfa_answers import CODE_MEMBER, CODE_MISMATCH, code_answer
from userpool.services.sign_in.steps.mfa_challenges import send_sign_in_code
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, lookup_user, respond, same_user
from userpool.services.sign_in.steps.passkey_auth import passkey_challenge
from userpool.services.sign_in.steps.password_auth import password_step
from userpool.services.sign_in.steps.srp_auth import srp_sign_in
from userpool.services.sign_in.steps.unknown_user_sessions import issue_unknown, open_unknown, take_unknown
from userpool.store.base import Tx
from userpool.triggers.sign_in import pre_authentication

# The MFA factor whose code each passwordless factor sends, and what each choice needs in the request.
_CODE_FACTOR: dict[str, str] = {ChallengeName.EMAIL_OTP: EMAIL, ChallengeName.SMS_OTP: SMS}
_NEEDS: dict[str, str] = {ChallengeName.PASSWORD: "PASSWORD", ChallengeName.PASSWORD_SRP: "SRP_A"}
# The state member of a SELECT_CHALLENGE Session listing what it offered.
OFFERED = "offered"


def _metadata(given: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (given or {}).items()}


def user_auth_sign_in(ctx: Ctx, call: FlowCall, *, hosted: bool = False) -> dict[str, Any]:
    """InitiateAuth / AdminInitiateAuth USER_AUTH: {USERNAME, PREFERRED_CHALLENGE?, PASSWORD?, SRP_A?}.
    ``hosted``: for the hosted pages, whose sign-in ends in a signed-in user rather than in tokens."""
    username = required_parameter(call.params, "USERNAME")
    check_secret_hash(call.client, username, call.params.get("SECRET_HASH"))
    device_key = None if hosted else call.params.get("DEVICE_KEY") or None
    attempt = Attempt(device_key, may_track=not (call.admin or hosted), hosted=hosted)
    metadata = _metadata(call.client_metadata)
    preferred = call.params.get("PREFERRED_CHALLENGE")
    if preferred in _NEEDS and call.params.get(_NEEDS[preferred]):
        # USER_PASSWORD_AUTH's and USER_SRP_AUTH's own first steps, which resolve the name themselves (with
        # UserMigration, or a simulated SRP challenge, for one no user has), run PreAuthentication and check
        # the user's status.
        outcome = _first_factor(
            ctx, call.pool, call.client, call.admin, None, preferred, call.params, attempt, metadata
        )
        return respond(ctx, outcome, request_metadata=metadata)
    hides = hides_users(call.client)
    with ctx.store.read() as tx:
        user = lookup_user(tx, call.pool, username)
        passkey = user is not None and _has_passkey(tx, call.pool, user)
    if user is None and not hides:
        raise UserNotFoundException("User does not exist.")
    if user is not None:
        refusal = status_refusal(user, hides)
        if refusal is not None:
            raise refusal
    offered = available_challenges(call.pool, user, passkey) if user is not None else unknown_user_challenges(call.pool)
    if preferred in offered:
        outcome = _first_factor(
            ctx, call.pool, call.client, call.admin, user, preferred, call.params, attempt, metadata
        )
        return respond(ctx, outcome, request_metadata=metadata)
    if not offered:
        # Nothing this user could sign in with here (no password, no verified address the pool accepts).
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    state = {**attempt.state(), OFFERED: offered}
    if user is None:
        session = issue_unknown(ctx, call.client, ChallengeName.SELECT_CHALLENGE, {**state, "username": username})
        answer = {"ChallengeName": ChallengeName.SELECT_CHALLENGE, "Session": session, "ChallengeParameters": {}}
    else:
        with ctx.store.write() as tx:
            answer = open_challenge(ctx, tx, call.pool, call.client, user, ChallengeName.SELECT_CHALLENGE, state, {})
    return {**answer, "AvailableChallenges": offered}


def _has_passkey(tx: Tx, pool: Pool, user: User) -> bool:
    # Read only where the pool allows passkeys: USER_AUTH sign-ins elsewhere pay no statement for them.
    return ChallengeName.WEB_AUTHN in allowed_factors(pool) and tx.webauthn_credentials.count(pool.id, user.sub) > 0


def _first_factor(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    admin: bool,
    user: User | None,
    choice: str,
    params: dict[str, str],
    attempt: Attempt,
    metadata: dict[str, str],
) -> Outcome:
    """Start the first factor ``choice`` for the USERNAME in ``params`` (already checked, with its SECRET_HASH)."""
    keep = ("USERNAME", "SECRET_HASH", "PASSWORD", "SRP_A")
    call = FlowCall(pool, client, {k: params[k] for k in keep if params.get(k)}, admin, client_metadata=metadata)
    if choice == ChallengeName.PASSWORD:
        return password_step(ctx, call, attempt)
    if choice == ChallengeName.PASSWORD_SRP:
        return Outcome(challenge=srp_sign_in(ctx, call))
    if choice == ChallengeName.WEB_AUTHN:
        return passkey_challenge(ctx, pool, client, user, params["USERNAME"], attempt, metadata)
    return _send_code(ctx, pool, client, user, params["USERNAME"], choice, attempt, metadata)


def _send_code(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    user: User | None,
    username: str,
    choice: str,
    attempt: Attempt,
    metadata: dict[str, str],
) -> Outcome:
    """EMAIL_OTP / SMS_OTP as a first factor: a fresh code to the user's verified address, and its challenge."""
    pre_authentication(
        ctx.triggers,
        pool,
        user,
        username,
        client_id=client.id,
        hides_users=hides_users(client),
        validation_data=metadata,
    )
    if user is None:
        details = simulated_details(pool, username, [OTP_ATTRIBUTE[choice]], ctx.deps.code_key)
        parameters = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"],
        }
        session = issue_unknown(ctx, client, choice, {**attempt.state(), "username": username})
        return Outcome(challenge={"ChallengeName": choice, "Session": session, "ChallengeParameters": parameters})
    with ctx.store.write() as tx:
        delivery, sent = send_sign_in_code(ctx, tx, pool, client, user, _CODE_FACTOR[choice])
        parameters = {"USER_ID_FOR_SRP": user.username, **delivery}
        answer = open_challenge(ctx, tx, pool, client, user, choice, attempt.state(), parameters)
    return Outcome(challenge=answer, sign_in_code=sent)


def select_challenge(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """SELECT_CHALLENGE {USERNAME, ANSWER (+ PASSWORD or SRP_A)}: the chosen first factor begins."""
    username = required_parameter(call.responses, "USERNAME")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    choice = required_parameter(call.responses, "ANSWER")
    if choice in _NEEDS:
        required_parameter(call.responses, _NEEDS[choice])
    user: User | None = None
    unknown = open_unknown(ctx, call.client, call.session, ChallengeName.SELECT_CHALLENGE)
    if unknown is not None:
        if unknown.get("username") != username:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        _check_offered(choice, unknown)
        # Used up as a real one is, once the choice is known to be one it offered.
        state = take_unknown(ctx, call.client, call.session, ChallengeName.SELECT_CHALLENGE)
        if state is None:
            raise NotAuthorizedException(INVALID_SESSION)
    else:
        with ctx.store.write() as tx:
            pending = pending_challenge(ctx, tx, call.client, call.session, ChallengeName.SELECT_CHALLENGE)
            user = tx.users.get_by_sub(call.pool.id, pending.sub)
            if user is None or not same_user(user, username, lookup_user(tx, call.pool, username)):
                raise NotAuthorizedException(WRONG_CREDENTIALS)
            refusal = status_refusal(user, hides_users=False)
            if refusal is not None:
                raise refusal
            state = pending.state
            _check_offered(choice, state)
            if not tx.auth_challenges.consume(pending.session_hash):
                raise NotAuthorizedException(INVALID_SESSION)
    attempt = Attempt.from_state(state)
    metadata = _metadata(call.client_metadata)
    return _first_factor(ctx, call.pool, call.client, call.admin, user, choice, call.responses, attempt, metadata)


def _check_offered(choice: str, state: dict[str, Any]) -> None:
    if choice not in (state.get(OFFERED) or []):
        raise InvalidParameterException(f"{choice} is not one of the AvailableChallenges of this sign-in.")


def one_time_code_answer(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """EMAIL_OTP {EMAIL_OTP_CODE} / SMS_OTP {SMS_OTP_CODE}: the code this sign-in sent. EMAIL_OTP is also
    the email MFA challenge; both are answered alike, and a right code ends the sign-in."""
    unknown = open_unknown(ctx, call.client, call.session, call.challenge)
    if unknown is not None:
        username = required_parameter(call.responses, "USERNAME")
        check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
        required_parameter(call.responses, CODE_MEMBER[call.challenge])
        # No code was sent, so none is right; the answer reads as a wrong code would.
        raise CodeMismatchException(CODE_MISMATCH)
    return code_answer(ctx, call)
