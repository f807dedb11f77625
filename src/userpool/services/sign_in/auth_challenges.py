"""RespondToAuthChallenge and AdminRespondToAuthChallenge: the challenge table, and NEW_PASSWORD_REQUIRED
(AWS: RespondToAuthChallenge API reference: Session, ChallengeResponses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedOperationException,
)
from userpool.model.attributes import aliases_for, definition, updated_attributes
from userpool.model.client_config import check_writable
from userpool.model.password_policy import check_password
from userpool.model.pool_mfa import SMS, TOTP
from userpool.model.records import Client, Pool, User
from userpool.model.risk_assessment import challenge_kind
from userpool.model.schema import definitions
from userpool.model.sign_in import WRONG_CREDENTIALS
from userpool.model.vocabulary import ChallengeName, UserStatus
from userpool.services.lookup.app_clients import app_client, check_secret_hash
from userpool.services.lookup.records import client_or_404, pool_or_404
from userpool.services.sign_in.steps.calls import ChallengeCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, pending_challenge
from userpool.services.sign_in.steps.custom_auth import (
    custom_challenge_answer,
    custom_password_verifier,
    is_custom_password_verifier,
)
from userpool.services.sign_in.steps.device_auth import device_password_verifier, device_srp_auth
from userpool.services.sign_in.steps.mfa_answers import code_answer, mfa_setup, select_mfa_type, software_token_answer
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, conclude, lookup_user, respond, same_user
from userpool.services.sign_in.steps.passkey_auth import passkey_answer
from userpool.services.sign_in.steps.sign_in_counts import counted, response_result
from userpool.services.sign_in.steps.srp_auth import password_verifier, password_verifier_reads
from userpool.services.sign_in.steps.user_auth import one_time_code_answer, select_challenge
from userpool.services.threat_protection.steps import compromised_credentials, sign_in_watch
from userpool.services.users.admin_attributes import save_user
from userpool.services.users.steps.credentials import new_password, with_password
from userpool.services.users.steps.password_history import (
    RecentPasswords,
    check_not_reused,
    recent_passwords,
    remember_replaced,
)
from userpool.store.base import Tx

ATTRIBUTE_PREFIX = "userAttributes."
T = TypeVar("T")


def _new_attributes(pool: Pool, client: Client, user: User, responses: dict[str, str]) -> dict[str, str]:
    """The user's attributes with the ``userAttributes.<name>`` answers applied; every required attribute
    must have a value afterwards."""
    changes = {k[len(ATTRIBUTE_PREFIX) :]: v for k, v in responses.items() if k.startswith(ATTRIBUTE_PREFIX)}
    check_writable(client.config, changes, lambda name: definition(pool, name) is not None)
    attributes = updated_attributes(pool, user.attributes, changes) if changes else dict(user.attributes)
    missing = [
        name
        for name, defn in definitions(pool).items()
        if defn.get("Required") and name != "sub" and not attributes.get(name)
    ]
    if missing:
        reasons = "".join(f"{name}: The attribute is required\n" for name in missing)
        raise InvalidParameterException("Attributes did not conform to the schema: " + reasons)
    return attributes


def new_password_required(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """NEW_PASSWORD_REQUIRED: the user replaces its temporary password (and fills in required attributes);
    it becomes CONFIRMED and signs in."""
    username = required_parameter(call.responses, "USERNAME")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    with ctx.store.read() as tx:
        pending = pending_challenge(ctx, tx, call.client, call.session, ChallengeName.NEW_PASSWORD_REQUIRED)
        user = tx.users.get_by_sub(call.pool.id, pending.sub)
        named = lookup_user(tx, call.pool, username)
        recent = recent_passwords(tx, call.pool, user) if user is not None else RecentPasswords()
    if user is None or not same_user(user, username, named):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    password = required_parameter(call.responses, "NEW_PASSWORD")
    check_password(call.pool, password)
    compromised_credentials.check_new_password(
        ctx, None, call.pool, call.client.id, compromised_credentials.PASSWORD_CHANGE, password
    )
    attributes = _new_attributes(call.pool, call.client, user, call.responses)
    # The temporary password is the current one, so it cannot be kept either where the pool keeps a history.
    check_not_reused(ctx, recent, password)
    new = new_password(ctx, user, password)
    with ctx.store.write() as tx:
        # Consuming the Session in this transaction makes it single use even under concurrent answers; a
        # refusal below rolls the consumption back with everything else.
        if not call.session or not tx.auth_challenges.consume(digest(call.session)):
            raise NotAuthorizedException(INVALID_SESSION)
        current = tx.users.get_by_sub(call.pool.id, user.sub)
        if current is None or current.status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise NotAuthorizedException(INVALID_SESSION)
        if not current.enabled:
            raise NotAuthorizedException("User is disabled.")
        updated = replace(
            with_password(current, new),
            status=UserStatus.CONFIRMED,
            password_expires_at=None,
            attributes=attributes,
            aliases=aliases_for(call.pool, attributes),
            updated_at=ctx.now,
        )
        save_user(tx, call.pool, updated, now=ctx.now)
        remember_replaced(ctx, tx, call.pool, current)
        return conclude(ctx, tx, call.pool, call.client, updated, Attempt.from_state(pending.state))


def _password_verifier(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """PASSWORD_VERIFIER answers two sign-ins: a CUSTOM_AUTH one that began with SRP_A (its Session carries
    the rest), and USER_SRP_AUTH, whose PASSWORD_CLAIM_SECRET_BLOCK carries the state without a Session."""
    if is_custom_password_verifier(ctx, call.client, call.session):
        return custom_password_verifier(ctx, call)
    return password_verifier(ctx, call)


CHALLENGES: dict[str, Callable[[Ctx, ChallengeCall], Outcome]] = {
    ChallengeName.NEW_PASSWORD_REQUIRED: new_password_required,
    ChallengeName.PASSWORD_VERIFIER: _password_verifier,
    ChallengeName.DEVICE_SRP_AUTH: device_srp_auth,
    ChallengeName.DEVICE_PASSWORD_VERIFIER: device_password_verifier,
    SMS: code_answer,
    TOTP: software_token_answer,
    ChallengeName.SELECT_MFA_TYPE: select_mfa_type,
    ChallengeName.MFA_SETUP: mfa_setup,
    ChallengeName.CUSTOM_CHALLENGE: custom_challenge_answer,
    ChallengeName.SELECT_CHALLENGE: select_challenge,
    # The email MFA challenge and the passwordless first factor alike.
    ChallengeName.EMAIL_OTP: one_time_code_answer,
    ChallengeName.SMS_OTP: one_time_code_answer,
    ChallengeName.WEB_AUTHN: passkey_answer,
}


# The first reads of an answer, made in the transaction that found the client (one transaction less); what they
# return is the call's ``ahead``.
READS_AHEAD: dict[str, Callable[[Ctx, Tx, ChallengeCall], object]] = {
    ChallengeName.PASSWORD_VERIFIER: password_verifier_reads,
}


def _read_ahead(ctx: Ctx, tx: Tx, call: ChallengeCall) -> ChallengeCall:
    reads = READS_AHEAD.get(call.challenge)
    return call if reads is None else replace(call, ahead=reads(ctx, tx, call))


def answer_challenge(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """Run the answer to the call's challenge: the next challenge, tokens to sign, or (hosted pages) the user."""
    name = call.challenge
    if name == ChallengeName.ADMIN_NO_SRP_AUTH:
        # An AuthFlow name that the ChallengeNameType enum also lists; nobody is ever challenged with it.
        raise InvalidParameterException("ADMIN_NO_SRP_AUTH is not a challenge that can be answered.")
    handler = CHALLENGES.get(name)
    if handler is None:
        raise UnsupportedOperationException(f"Responses to {name} are not implemented by userpool yet.")
    return handler(ctx, call)


def watched_answer(
    ctx: Ctx,
    call: ChallengeCall,
    finish: Callable[[Ctx, Outcome], T],
    progress: Callable[[T], tuple[dict[str, Any] | None, bool]],
) -> T:
    """Answer the call's challenge, then ``finish`` the outcome; in a pool with threat protection, as a step
    of the sign-in's event (services/threat_protection/steps/sign_in_watch.py), which the Session (or SRP's
    PASSWORD_CLAIM_SECRET_BLOCK) finds, ``progress`` telling from the result where the sign-in stands."""
    link = call.session or call.responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
    watch = sign_in_watch.resume(ctx, call.pool, link)
    if watch is None:
        return finish(ctx, answer_challenge(ctx, call))
    kind = challenge_kind(call.challenge, call.responses, watch.event.challenges)
    return sign_in_watch.run(ctx, watch, kind, lambda c: finish(c, answer_challenge(c, call)), progress)


def _respond(ctx: Ctx, call: ChallengeCall) -> dict[str, Any]:
    return watched_answer(
        ctx, call, lambda c, outcome: respond(c, outcome, call.client_metadata), sign_in_watch.api_progress
    )


def _answered(ctx: Ctx, req: dict[str, Any], call: Callable[[], ChallengeCall]) -> dict[str, Any]:
    """The answer to the challenge of ``req``, counted under the ChallengeName it answers."""
    return counted(ctx, req["ChallengeName"], lambda: _respond(ctx, call()), response_result)


def _responses(req: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in (req.get("ChallengeResponses") or {}).items()}


def _challenge_call(pool: Pool, client: Client, req: dict[str, Any], admin: bool) -> ChallengeCall:
    session, metadata = req.get("Session"), req.get("ClientMetadata")
    return ChallengeCall(pool, client, req["ChallengeName"], _responses(req), session, admin, metadata)


def respond_to_auth_challenge(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Answer the challenge of an InitiateAuth or an earlier answer (unsigned): RespondToAuthChallenge."""

    def call() -> ChallengeCall:
        with ctx.store.read() as tx:
            pool, client = app_client(tx, req["ClientId"])
            made = _challenge_call(pool, client, req, admin=False)
            return _read_ahead(ctx, tx, made)

    return _answered(ctx, req, call)


def admin_respond_to_auth_challenge(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Answer a challenge of AdminInitiateAuth from a trusted back end (SigV4): AdminRespondToAuthChallenge."""

    def call() -> ChallengeCall:
        with ctx.store.read() as tx:
            pool = pool_or_404(tx, req["UserPoolId"])
            client = client_or_404(tx, pool.id, req["ClientId"])
            made = _challenge_call(pool, client, req, admin=True)
            return _read_ahead(ctx, tx, made)

    return _answered(ctx, req, call)
