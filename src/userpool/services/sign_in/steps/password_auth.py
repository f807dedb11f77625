"""Password sign-in: USER_PASSWORD_AUTH (InitiateAuth), ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH
(AdminInitiateAuth). Cognito developer guide: 'Authentication flows', 'Managing user existence error responses',
'Lockout behavior for failed sign-in attempts'.

An unknown user and a wrong password take the same path and the same time: the same transactions, and an
argon2 verification against a dummy hash (PasswordHasher.verify(None, ...)); with PreventUserExistenceErrors
ENABLED they also give the same error and are locked out alike (sign_in_attempts.py). The argon2
verification runs outside any transaction.

Triggers (Cognito developer guide: 'Migrate user Lambda trigger', 'Pre authentication Lambda trigger'): a name no user
has goes to the pool's UserMigration function, which may move the user in with the password typed; then
PreAuthentication sees the user before its status and password are checked. Both run between transactions.

A right password is then checked for compromised credentials (threat_protection/steps/compromised_credentials.py).
"""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.model.sign_in import WRONG_CREDENTIALS, hidden_as_missing, password_hash_for_sign_in, status_refusal
from userpool.services.lookup.app_clients import check_secret_hash, hides_users
from userpool.services.sign_in.steps.calls import FlowCall, required_parameter
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, finish_first_factor, lookup_user, respond
from userpool.services.sign_in.steps.sign_in_attempts import counted_attempt, counter_for
from userpool.services.threat_protection.steps import compromised_credentials
from userpool.services.users.steps.user_migration import migrate_on_sign_in
from userpool.triggers.sign_in import pre_authentication


def password_sign_in(ctx: Ctx, call: FlowCall) -> dict[str, Any]:
    """USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: tokens or the next challenge."""
    attempt = Attempt(call.params.get("DEVICE_KEY") or None, may_track=not call.admin)
    return respond(ctx, password_step(ctx, call, attempt), request_metadata=call.client_metadata)


def password_step(ctx: Ctx, call: FlowCall, attempt: Attempt) -> Outcome:
    """Verify USERNAME + PASSWORD (and SECRET_HASH) and conclude: the next challenge, or the signed-in user."""
    username = required_parameter(call.params, "USERNAME")
    password = required_parameter(call.params, "PASSWORD")
    # SECRET_HASH is computed over the USERNAME as the client sent it, alias or not (Cognito developer guide: 'Computing
    # secret hash values').
    check_secret_hash(call.client, username, call.params.get("SECRET_HASH"))
    hides = hides_users(call.client)
    with ctx.store.read() as tx:
        user = lookup_user(tx, call.pool, username)
    if user is None:
        user = migrate_on_sign_in(ctx, call.pool, call.client, username, password, call.client_metadata)
    pre_authentication(
        ctx.triggers,
        call.pool,
        user,
        username,
        client_id=call.client.id,
        hides_users=hides,
        validation_data=call.client_metadata,
    )
    if user is not None and hidden_as_missing(user, hides):
        # Answered as a name no user has is answered, lockout included.
        user = None
    if user is not None:
        refusal = status_refusal(user, hides)
        if refusal is not None:
            raise refusal
    hasher = ctx.deps.hasher
    with counted_attempt(ctx, counter_for(ctx, call.pool, call.client, user, username)):
        matches = hasher.verify(password_hash_for_sign_in(user) if user is not None else None, password)
        if user is None:
            if hides:
                raise NotAuthorizedException(WRONG_CREDENTIALS)
            raise UserNotFoundException("User does not exist.")
        if not matches or password_hash_for_sign_in(user) is None or user.password_hash is None:
            raise NotAuthorizedException(WRONG_CREDENTIALS)
    # A right password known from breaches, where the pool blocks it, leaves the user RESET_REQUIRED, and the
    # sign-in is answered as such a user's (compromised_credentials.py).
    found = compromised_credentials.detect(
        ctx, None, call.pool, call.client.id, compromised_credentials.SIGN_IN, password
    )
    if found.block:
        refusal = status_refusal(compromised_credentials.require_reset(ctx, call.pool, user), hides)
        assert refusal is not None
        raise refusal
    # Hashes made with older argon2 parameters are upgraded while the password is at hand.
    rehashed = hasher.hash(password) if hasher.needs_rehash(user.password_hash) else None
    # A password set before SRP enrolment existed gets its verifier now, the first time the server sees
    # the plaintext again (docs/srp.md, Enrolment); the modexp runs here, outside any transaction.
    enrolled = None
    if user.srp_verifier is None:
        salt, verifier = srp.enrol(call.pool.id, user.username, password)
        enrolled = (salt, format(verifier, "x"))
    return finish_first_factor(ctx, call.pool, call.client, user, rehashed, enrolled, attempt)
