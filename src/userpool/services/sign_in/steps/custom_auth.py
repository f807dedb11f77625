"""CUSTOM_AUTH (InitiateAuth, AdminInitiateAuth) and its answers, CUSTOM_CHALLENGE and, for a sign-in that
began with SRP_A, PASSWORD_VERIFIER (Cognito developer guide: 'Custom authentication challenge Lambda triggers').

The sign-in is a loop of Lambda calls: DefineAuthChallenge reads the session history and fails the sign-in,
issues tokens, or asks for a challenge; CreateAuthChallenge makes a CUSTOM_CHALLENGE; the answer goes to
VerifyAuthChallengeResponse and its verdict, as a new history entry, back to DefineAuthChallenge. With
``CHALLENGE_NAME=SRP_A`` the history starts with ``{SRP_A, true}`` and DefineAuthChallenge may ask for the
password proof: the PASSWORD_VERIFIER challenge of USER_SRP_AUTH, but with a Session, whose result becomes a
``PASSWORD_VERIFIER`` entry.

The history, the private challenge parameters and the PASSWORD_VERIFIER challenge not asked for yet live in
the challenge Session's state; each Session is consumed before the triggers run on its answer, so that one
Session never drives two sign-ins. No trigger runs inside a transaction. Issued tokens go through the end of
every sign-in (sign_in.conclude: a temporary password to replace, a remembered device, MFA, device tracking).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.crypto.opaque import digest
from userpool.errors import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import WRONG_CREDENTIALS, status_refusal
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.app_clients import check_secret_hash, hides_users
from userpool.services.sign_in.steps.calls import ChallengeCall, FlowCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, open_challenge
from userpool.services.sign_in.steps.outcome import (
    Attempt,
    Outcome,
    conclude,
    lookup_user,
    presented_device,
    respond,
    same_user,
)
from userpool.services.sign_in.steps.sign_in_attempts import (
    begin_counted_attempt,
    counter_for,
    record_failed_attempt,
    record_success,
)
from userpool.services.sign_in.steps.srp_auth import TIMESTAMP_WINDOW_SECONDS, srp_sign_in
from userpool.services.sign_in.steps.unknown_user_sessions import issue_unknown, open_unknown, take_unknown
from userpool.triggers.custom_auth import (
    NOT_CONFIGURED,
    Subject,
    create_auth_challenge,
    custom_auth_configured,
    define_auth_challenge,
    verify_auth_challenge_response,
)
from userpool.triggers.events import user_attributes
from userpool.triggers.invoke import INVALID_RESPONSE
from userpool.triggers.sign_in import pre_authentication

SRP_A = "SRP_A"
# The state member of a challenge Session that marks it as a CUSTOM_AUTH one and holds its progress.
CUSTOM = "custom_auth"
# Our bound on challenges per sign-in (Cognito documents none): a DefineAuthChallenge that never decides
# cannot keep a sign-in, and its Lambda calls, going for ever.
MAX_CHALLENGES = 10


@dataclass(frozen=True, slots=True)
class _Progress:
    """A custom sign-in between two steps. ``user`` is None for a name no user has (the client hides
    that); ``username`` is then the name typed, and ``alias`` the USER_ID_FOR_SRP of its simulated SRP
    challenge, which clients answer with as they would with a real user's. ``password_step`` holds the
    ChallengeParameters of the PASSWORD_VERIFIER challenge of a sign-in that began with SRP_A, until
    DefineAuthChallenge asks for it."""

    pool: Pool
    client: Client
    admin: bool
    user: User | None
    username: str
    history: list[dict[str, Any]]
    password_step: dict[str, str] | None
    attempt: Attempt
    client_metadata: dict[str, str] = field(default_factory=dict)
    alias: str | None = None

    def shown_name(self) -> str:
        """The USERNAME the challenges show."""
        return self.user.username if self.user is not None else self.alias or self.username

    def subject(self) -> Subject:
        user = self.user
        return Subject(
            username=user.username if user is not None else self.username,
            attributes=user_attributes(user) if user is not None else {},
            not_found=user is None,
            client_id=self.client.id,
            client_metadata=self.client_metadata,
        )

    def state(self, **extra: Any) -> dict[str, Any]:
        progress = {
            "username": self.username,
            "alias": self.alias,
            "history": self.history,
            "password_step": self.password_step,
        }
        return {**self.attempt.state(), CUSTOM: {**progress, **extra}}


def _metadata(given: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (given or {}).items()}


def custom_sign_in(ctx: Ctx, call: FlowCall) -> dict[str, Any]:
    """InitiateAuth / AdminInitiateAuth CUSTOM_AUTH: {USERNAME, CHALLENGE_NAME=SRP_A + SRP_A?}.

    With SRP_A, USER_SRP_AUTH's first step runs at once (PreAuthentication, the user's status, a simulated
    challenge for an unknown name): the PASSWORD_VERIFIER challenge it makes waits in the Session state
    until DefineAuthChallenge asks for it, and its SECRET_BLOCK is withdrawn from USER_SRP_AUTH, whose
    answer needs no Session and so would skip the custom challenges.
    """
    username = required_parameter(call.params, "USERNAME")
    check_secret_hash(call.client, username, call.params.get("SECRET_HASH"))
    srp_first = call.params.get("CHALLENGE_NAME") == SRP_A
    if srp_first:
        required_parameter(call.params, SRP_A)
    if not custom_auth_configured(call.pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    hides = hides_users(call.client)
    metadata = _metadata(call.client_metadata)
    password_step = None
    if srp_first:
        password_step = dict(srp_sign_in(ctx, call)["ChallengeParameters"])
        with ctx.store.write() as tx:
            tx.auth_challenges.consume(digest(password_step["SECRET_BLOCK"]))
    attempt = Attempt(call.params.get("DEVICE_KEY") or None, may_track=not call.admin)
    with ctx.store.read() as tx:
        user = lookup_user(tx, call.pool, username)
    if not srp_first:
        pre_authentication(
            ctx.triggers,
            call.pool,
            user,
            username,
            client_id=call.client.id,
            hides_users=hides,
            validation_data=metadata,
        )
    if user is None and not hides:
        raise UserNotFoundException("User does not exist.")
    if user is not None:
        refusal = status_refusal(user, hides)
        if refusal is not None:
            raise refusal
        with ctx.store.read() as tx:
            # An unknown DEVICE_KEY is refused before anything is used up (clients retry without it).
            presented_device(tx, call.pool, user, attempt)
    history: list[dict[str, Any]] = [{"challengeName": SRP_A, "challengeResult": True}] if srp_first else []
    alias = password_step["USER_ID_FOR_SRP"] if password_step is not None and user is None else None
    progress = _Progress(
        call.pool, call.client, call.admin, user, username, history, password_step, attempt, metadata, alias
    )
    return respond(ctx, _next(ctx, progress), request_metadata=metadata)


def _next(ctx: Ctx, progress: _Progress) -> Outcome:
    """Ask DefineAuthChallenge what follows the history, and do it."""
    if len(progress.history) > MAX_CHALLENGES:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    decision = define_auth_challenge(ctx.triggers, progress.pool, progress.subject(), progress.history)
    if decision.fail:
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    if decision.issue_tokens:
        return _issue_tokens(ctx, progress)
    if decision.challenge == ChallengeName.PASSWORD_VERIFIER:
        return _password_challenge(ctx, progress)
    created = create_auth_challenge(
        ctx.triggers, progress.pool, progress.subject(), ChallengeName.CUSTOM_CHALLENGE, progress.history
    )
    parameters = {**created.public, "USERNAME": progress.shown_name()}
    state = progress.state(private=created.private, metadata=created.metadata)
    return _open(ctx, progress, ChallengeName.CUSTOM_CHALLENGE, state, parameters)


def _issue_tokens(ctx: Ctx, progress: _Progress) -> Outcome:
    if progress.user is None:
        # A function that issues tokens to nobody: the sign-in fails as it would with a wrong password.
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    with ctx.store.write() as tx:
        user = tx.users.get_by_sub(progress.pool.id, progress.user.sub)
        if user is None:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        refusal = status_refusal(user, hides_users=False)
        if refusal is not None:
            raise refusal
        return conclude(ctx, tx, progress.pool, progress.client, user, progress.attempt)


def _password_challenge(ctx: Ctx, progress: _Progress) -> Outcome:
    """The PASSWORD_VERIFIER challenge made when the sign-in began, now with a Session carrying the
    history; its SECRET_BLOCK is good with that Session only."""
    parameters = progress.password_step
    if parameters is None:
        # A password proof the client never offered to give (no SRP_A), or one it has given already.
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    used = replace(progress, password_step=None)
    return _open(
        ctx, used, ChallengeName.PASSWORD_VERIFIER, used.state(block=digest(parameters["SECRET_BLOCK"])), parameters
    )


def _open(ctx: Ctx, progress: _Progress, challenge: str, state: dict[str, Any], parameters: dict[str, str]) -> Outcome:
    if progress.user is None:
        session = issue_unknown(ctx, progress.client, challenge, state)
        return Outcome(challenge={"ChallengeName": challenge, "Session": session, "ChallengeParameters": parameters})
    with ctx.store.write() as tx:
        answer = open_challenge(ctx, tx, progress.pool, progress.client, progress.user, challenge, state, parameters)
    return Outcome(challenge=answer)


def _resume(ctx: Ctx, call: ChallengeCall) -> tuple[_Progress, dict[str, Any]]:
    """The sign-in a CUSTOM_AUTH Session continues, after consuming the Session, and its progress state.

    The USERNAME must name the user the Session was issued to (or, for an unknown name, be that name).
    """
    username = required_parameter(call.responses, "USERNAME")
    check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
    unknown = open_unknown(ctx, call.client, call.session, call.challenge)
    if unknown is not None:
        progress_state = unknown.get(CUSTOM)
        names = (
            (progress_state.get("username"), progress_state.get("alias")) if isinstance(progress_state, dict) else ()
        )
        if username not in names:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
        taken = take_unknown(ctx, call.client, call.session, call.challenge)
        if taken is None or CUSTOM not in taken:
            raise NotAuthorizedException(INVALID_SESSION)
        state = taken
        user = None
    else:
        with ctx.store.read() as tx:
            found = tx.auth_challenges.get(digest(call.session)) if call.session else None
            live = found is not None and found.client_id == call.client.id and found.expires_at > ctx.now
            if found is None or not live or found.challenge != call.challenge or CUSTOM not in found.state:
                raise NotAuthorizedException(INVALID_SESSION)
            user = tx.users.get_by_sub(call.pool.id, found.sub)
            if user is None or not same_user(user, username, lookup_user(tx, call.pool, username)):
                raise NotAuthorizedException(WRONG_CREDENTIALS)
        refusal = status_refusal(user, hides_users=False)
        if refusal is not None:
            raise refusal
        state = found.state
        with ctx.store.write() as tx:
            if not tx.auth_challenges.consume(found.session_hash):
                raise NotAuthorizedException(INVALID_SESSION)
    progress_state = state[CUSTOM]
    password_step = progress_state.get("password_step")
    progress = _Progress(
        call.pool,
        call.client,
        call.admin,
        user,
        str(progress_state.get("username") or username),
        list(progress_state.get("history") or []),
        password_step if isinstance(password_step, dict) else None,
        Attempt.from_state(state),
        _metadata(call.client_metadata),
        alias if isinstance(alias := progress_state.get("alias"), str) else None,
    )
    return progress, progress_state


def custom_challenge_answer(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """CUSTOM_CHALLENGE {USERNAME, ANSWER}: VerifyAuthChallengeResponse judges the answer, DefineAuthChallenge
    decides what follows."""
    answer = required_parameter(call.responses, "ANSWER")
    progress, state = _resume(ctx, call)
    private = state.get("private") if isinstance(state.get("private"), dict) else {}
    correct = verify_auth_challenge_response(ctx.triggers, call.pool, progress.subject(), private or {}, answer)
    entry = {
        "challengeName": ChallengeName.CUSTOM_CHALLENGE,
        "challengeResult": correct,
        "challengeMetadata": state.get("metadata"),
    }
    return _next(ctx, replace(progress, history=[*progress.history, entry]))


def is_custom_password_verifier(ctx: Ctx, client: Client, session: str | None) -> bool:
    """Whether a PASSWORD_VERIFIER answer continues a CUSTOM_AUTH sign-in (it carries that sign-in's
    Session) rather than a USER_SRP_AUTH one."""
    if not session:
        return False
    if open_unknown(ctx, client, session, ChallengeName.PASSWORD_VERIFIER) is not None:
        return True
    with ctx.store.read() as tx:
        found = tx.auth_challenges.get(digest(session))
    return found is not None and found.challenge == ChallengeName.PASSWORD_VERIFIER and CUSTOM in found.state


def _proof_holds(
    ctx: Ctx, pool: Pool, client: Client, user: User | None, block: str, signature: str, timestamp: str
) -> bool:
    """Whether the PASSWORD_CLAIM_SIGNATURE proves ``user``'s password (docs/srp.md, Step 2 and TIMESTAMP)."""
    state = srp.open_secret_block(ctx.deps.code_key, client.id, block)
    if state is None or state.get("pool") != pool.id or float(state.get("exp", 0)) <= ctx.now:
        return False
    a, b = int(state["A"], 16), int(state["b"], 16)
    if user is None or state.get("sub") != user.sub or user.srp_verifier is None:
        # A simulated challenge: the same exponentiation as a real check, so the answer takes as long.
        srp.session_key(a, srp.G, b, srp.kept_scrambler(state))
        return False
    when = srp.parse_timestamp(timestamp)
    if when is None or abs(ctx.now - when) > TIMESTAMP_WINDOW_SECONDS:
        return False
    key = srp.session_key(a, int(user.srp_verifier, 16), b, srp.kept_scrambler(state))
    if key is None:
        return False
    expected = srp.claim_signature(key, pool.id, user.username, base64.b64decode(block), timestamp)
    return srp.signature_matches(expected, signature)


def custom_password_verifier(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """PASSWORD_VERIFIER with a CUSTOM_AUTH Session: the proof is checked (and counted towards the lockout
    like any password) and its result handed to DefineAuthChallenge as a PASSWORD_VERIFIER entry."""
    block = required_parameter(call.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_parameter(call.responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_parameter(call.responses, "TIMESTAMP")
    if call.session and open_unknown(ctx, call.client, call.session, ChallengeName.PASSWORD_VERIFIER) is None:
        # Checked before the Session is used up: clients answer an unknown DEVICE_KEY by sending the same
        # proof again without it (amazon-cognito-identity-js, Amplify).
        _check_device(ctx, call.pool, call.client, call.session, call.responses)
    progress, state = _resume(ctx, call)
    # The DEVICE_KEY that counts is the one sent with the proof, as in USER_SRP_AUTH.
    progress = replace(progress, attempt=replace(progress.attempt, device_key=call.responses.get("DEVICE_KEY") or None))
    user = progress.user
    if state.get("block") != digest(block):
        raise NotAuthorizedException(WRONG_CREDENTIALS)
    counter = counter_for(ctx, call.pool, call.client, user, progress.username)
    begin_counted_attempt(ctx, counter)
    holds = _proof_holds(ctx, call.pool, call.client, user, block, signature, timestamp)
    if not holds:
        record_failed_attempt(ctx, counter)
    elif user is not None:
        record_success(ctx, counter)
    entry = {"challengeName": ChallengeName.PASSWORD_VERIFIER, "challengeResult": holds}
    return _next(ctx, replace(progress, history=[*progress.history, entry]))


def _check_device(ctx: Ctx, pool: Pool, client: Client, session: str, responses: dict[str, str]) -> None:
    key = responses.get("DEVICE_KEY") or None
    if key is None:
        return
    with ctx.store.read() as tx:
        found = tx.auth_challenges.get(digest(session))
        user = tx.users.get_by_sub(pool.id, found.sub) if found is not None else None
        if user is not None:
            presented_device(tx, pool, user, Attempt(key))
