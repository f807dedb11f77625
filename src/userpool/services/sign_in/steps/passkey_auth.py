"""WEB_AUTHN, the passkey first factor of choice-based sign-in (USER_AUTH): the challenge with
CREDENTIAL_REQUEST_OPTIONS and its CREDENTIAL answer (Cognito developer guide: 'Passkey sign-in'; AWS:
RespondToAuthChallenge API reference, WEB_AUTHN).

The challenge's Session keeps the WebAuthn challenge it sent, so an assertion is accepted only for the
sign-in that asked for it, once. The assertion is checked in services/users/steps/passkeys.py (signature, the
challenge, origin, RP ID hash, user verification where the pool requires it, the signature counter), and
must be made with a passkey of the user the Session belongs to. A passkey proves possession and, with
user verification, the user: the sign-in ends without a further MFA step.
"""

from __future__ import annotations

import json

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.model.client_config import auth_session_seconds
from userpool.model.first_factors import user_factors
from userpool.model.lockout import after_success
from userpool.model.records import Client, Pool, User
from userpool.model.sign_in import status_refusal
from userpool.model.vocabulary import ChallengeName
from userpool.services.lookup.app_clients import check_secret_hash, hides_users
from userpool.services.sign_in.steps.calls import ChallengeCall, required_parameter
from userpool.services.sign_in.steps.challenge_sessions import INVALID_SESSION, open_challenge
from userpool.services.sign_in.steps.mfa_answers import challenged_user
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, end, lookup_user
from userpool.services.sign_in.steps.unknown_user_sessions import issue_unknown, open_unknown
from userpool.services.users.steps.passkeys import SIGN_IN_REFUSED, check_assertion, request_options
from userpool.triggers.sign_in import pre_authentication

OPTIONS = "CREDENTIAL_REQUEST_OPTIONS"
NO_PASSKEY = "The user has no passkey it can sign in with here."
# The Session state member holding the WebAuthn challenge sent.
CHALLENGE_STATE = "webauthn_challenge"


def passkey_challenge(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    user: User | None,
    username: str,
    attempt: Attempt,
    metadata: dict[str, str],
) -> Outcome:
    """The WEB_AUTHN challenge for ``user`` (None: a name no user has, where the client hides that; its
    options allow no credential and no answer is ever right)."""
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
        with ctx.store.read() as tx:
            options, _challenge = request_options(ctx, tx, pool, None, auth_session_seconds(client))
        session = issue_unknown(ctx, client, ChallengeName.WEB_AUTHN, {**attempt.state(), "username": username})
        parameters = {OPTIONS: json.dumps(options)}
        return Outcome(
            challenge={"ChallengeName": ChallengeName.WEB_AUTHN, "Session": session, "ChallengeParameters": parameters}
        )
    with ctx.store.write() as tx:
        options, challenge = request_options(ctx, tx, pool, user, auth_session_seconds(client))
        state = {**attempt.state(), CHALLENGE_STATE: challenge}
        parameters = {OPTIONS: json.dumps(options), "USER_ID_FOR_SRP": user.username}
        answer = open_challenge(ctx, tx, pool, client, user, ChallengeName.WEB_AUTHN, state, parameters)
    return Outcome(challenge=answer)


def begin_passkey_sign_in(
    ctx: Ctx, pool: Pool, client: Client, username: str, attempt: Attempt, metadata: dict[str, str] | None = None
) -> Outcome:
    """A sign-in that begins with a passkey for ``username`` (the hosted pages' "Sign in with a passkey";
    USER_AUTH with PREFERRED_CHALLENGE WEB_AUTHN does the same through user_auth.py): the WEB_AUTHN
    challenge, for a user allowed to sign in who is offered passkeys. Where the client hides which users
    exist, a name no user has (or a user without a passkey) gets a challenge no answer passes."""
    hides = hides_users(client)
    with ctx.store.read() as tx:
        user = lookup_user(tx, pool, username)
        has_passkey = user is not None and tx.webauthn_credentials.count(pool.id, user.sub) > 0
    if user is not None:
        refusal = status_refusal(user, hides)
        if refusal is not None:
            raise refusal
    if user is None or ChallengeName.WEB_AUTHN not in user_factors(pool, user, has_passkey):
        if not hides:
            raise (
                UserNotFoundException("User does not exist.") if user is None else NotAuthorizedException(NO_PASSKEY)
            )
        user = None
    return passkey_challenge(ctx, pool, client, user, username, attempt, metadata or {})


def passkey_answer(ctx: Ctx, call: ChallengeCall) -> Outcome:
    """WEB_AUTHN {USERNAME, CREDENTIAL}: the passkey assertion for this Session's challenge ends the sign-in."""
    unknown = open_unknown(ctx, call.client, call.session, call.challenge)
    if unknown is not None:
        username = required_parameter(call.responses, "USERNAME")
        check_secret_hash(call.client, username, call.responses.get("SECRET_HASH"))
        required_parameter(call.responses, "CREDENTIAL")
        raise NotAuthorizedException(SIGN_IN_REFUSED)
    credential = required_parameter(call.responses, "CREDENTIAL")
    with ctx.store.write() as tx:
        pending, user = challenged_user(ctx, tx, call)
        challenge = pending.state.get(CHALLENGE_STATE)
        if not isinstance(challenge, str):
            raise NotAuthorizedException(INVALID_SESSION)
        check_assertion(ctx, tx, call.pool, user, credential, challenge)
        # Consumed with the counter's advance: of two concurrent answers only one goes on.
        if not tx.auth_challenges.consume(pending.session_hash):
            raise NotAuthorizedException(INVALID_SESSION)
        counters = tx.sign_in_counters.get(call.pool.id, user.sub, for_update=True)
        if counters is not None and counters.failed_attempts:
            tx.sign_in_counters.set_attempts(call.pool.id, user.sub, after_success(counters))
        return end(ctx, tx, call.pool, call.client, user, Attempt.from_state(pending.state))
