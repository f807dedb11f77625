"""What the hosted pages ask of the user pool: sign-in with a password and its challenges, sign-up and its
confirmation, password reset (Cognito developer guide: 'User pool managed login').

Each step calls the same service as the API does, so every rule applies unchanged (password policy, lockout,
triggers, PreventUserExistenceErrors). The pages never see a client secret: for a client that has one, the
SECRET_HASH the API would demand is computed here, as AWS's hosted UI does on its own side.
"""

from __future__ import annotations

import json
from typing import Any

from userpool.context import Ctx
from userpool.crypto.secret_hash import secret_hash
from userpool.model.auth_events import ChallengeKind
from userpool.model.records import Client, Pool
from userpool.model.vocabulary import ChallengeName
from userpool.monitoring.port import HOSTED
from userpool.services.sign_in import mfa
from userpool.services.sign_in.auth_challenges import watched_answer
from userpool.services.sign_in.steps.calls import ChallengeCall, FlowCall
from userpool.services.sign_in.steps.outcome import Attempt, Outcome, delivered
from userpool.services.sign_in.steps.passkey_auth import begin_passkey_sign_in
from userpool.services.sign_in.steps.password_auth import password_step
from userpool.services.sign_in.steps.sign_in_counts import counted, outcome_result, response_result
from userpool.services.sign_in.steps.user_auth import user_auth_sign_in
from userpool.services.sign_up import recovery, registration
from userpool.services.threat_protection import auth_events
from userpool.services.threat_protection.steps import sign_in_watch

# The ChallengeResponses member that carries the code of each code challenge (AWS: RespondToAuthChallenge API
# reference).
CODE_RESPONSES: dict[str, str] = {
    ChallengeName.SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
    ChallengeName.SMS_MFA: "SMS_MFA_CODE",
    ChallengeName.EMAIL_OTP: "EMAIL_OTP_CODE",
    ChallengeName.SMS_OTP: "SMS_OTP_CODE",
}
# The member of a SELECT_CHALLENGE page's parameters that carries the answer's AvailableChallenges.
AVAILABLE = "AVAILABLE_CHALLENGES"


def _with_secret_hash(client: Client, username: str, values: dict[str, Any], member: str) -> dict[str, Any]:
    if client.secret:
        values[member] = secret_hash(client.secret, username, client.id)
    return values


def _progress(outcome: Outcome) -> tuple[dict[str, Any] | None, bool]:
    """Where a hosted sign-in stands after a step, for its threat protection event."""
    return outcome.challenge, outcome.signed_in is not None


def sign_in(ctx: Ctx, pool: Pool, client: Client, username: str, password: str) -> Outcome:
    """The password step of a hosted sign-in: the signed-in user or the next challenge. The hosted UI checks
    the password on the server (no SRP) and needs no ALLOW_USER_PASSWORD_AUTH, as on AWS. With threat
    protection, the sign-in is assessed and recorded as the API's are, from the browser's address."""
    params = _with_secret_hash(client, username, {"USERNAME": username, "PASSWORD": password}, "SECRET_HASH")
    call = FlowCall(pool, client, params, admin=False)

    def watched() -> Outcome:
        watch = None
        if sign_in_watch.watched(pool):
            context = sign_in_watch.request_context(ctx, client, {}, admin=False)
            watch = sign_in_watch.start(ctx, pool, client, username, context)

        def step(c: Ctx) -> Outcome:
            return delivered(c, password_step(c, call, Attempt(may_track=False, hosted=True)), None)

        return sign_in_watch.run(ctx, watch, ChallengeKind.Password, step, _progress)

    return counted(ctx, HOSTED, watched, outcome_result)


def sign_in_without_password(ctx: Ctx, pool: Pool, client: Client, username: str, preferred: str) -> dict[str, Any]:
    """Choice-based sign-in (USER_AUTH) with PREFERRED_CHALLENGE ``preferred`` (WEB_AUTHN, EMAIL_OTP, SMS_OTP):
    that challenge, or SELECT_CHALLENGE with the AvailableChallenges (kept in its parameters as
    ``AVAILABLE_CHALLENGES``) when the user cannot use it. A code challenge's code is sent here."""
    params = {"USERNAME": username, "PREFERRED_CHALLENGE": preferred}
    call = FlowCall(pool, client, _with_secret_hash(client, username, params, "SECRET_HASH"), admin=False)
    body = counted(ctx, HOSTED, lambda: user_auth_sign_in(ctx, call, hosted=True), response_result)
    if body.get("ChallengeName") == ChallengeName.SELECT_CHALLENGE:
        available = [str(name) for name in body.get("AvailableChallenges") or []]
        body = {**body, "ChallengeParameters": {AVAILABLE: json.dumps(available)}}
    return body


def sign_in_with_passkey(ctx: Ctx, pool: Pool, client: Client, username: str) -> dict[str, Any]:
    """Managed login's "Sign in with a passkey" for ``username``: the WEB_AUTHN challenge of choice-based
    sign-in. Where the client hides which users exist, a name no user has, or a user without a passkey, gets a
    challenge no passkey answers, so the page tells neither apart."""
    attempt = Attempt(may_track=False, hosted=True)
    outcome = counted(ctx, HOSTED, lambda: begin_passkey_sign_in(ctx, pool, client, username, attempt), outcome_result)
    return dict(outcome.challenge or {})


def answer(
    ctx: Ctx, pool: Pool, client: Client, challenge: str, username: str, session: str, responses: dict[str, str]
) -> Outcome:
    """Answer challenge ``challenge`` of a hosted sign-in (NEW_PASSWORD_REQUIRED, MFA codes, SELECT_MFA_TYPE,
    MFA_SETUP) with its Session; ``USERNAME`` (and SECRET_HASH) are added here."""
    values = _with_secret_hash(client, username, {**responses, "USERNAME": username}, "SECRET_HASH")
    call = ChallengeCall(pool, client, challenge, values, session, admin=False)

    def step() -> Outcome:
        return watched_answer(ctx, call, lambda c, outcome: delivered(c, outcome, None), _progress)

    return counted(ctx, HOSTED, step, outcome_result)


def associate_totp(ctx: Ctx, session: str) -> tuple[str, str]:
    """(secret, next Session) of an MFA_SETUP challenge: AssociateSoftwareToken with the Session."""
    body = mfa.associate_software_token(ctx, {"Session": session})
    return str(body["SecretCode"]), str(body["Session"])


def verify_totp(ctx: Ctx, session: str, code: str) -> str:
    """The next Session once ``code`` verified the new TOTP secret: VerifySoftwareToken with the Session."""
    body = mfa.verify_software_token(ctx, {"Session": session, "UserCode": code})
    return str(body["Session"])


def register(ctx: Ctx, client: Client, username: str, password: str, attributes: dict[str, str]) -> dict[str, Any]:
    """SignUp; returns its answer (UserConfirmed, CodeDeliveryDetails)."""
    req: dict[str, Any] = {
        "ClientId": client.id,
        "Username": username,
        "Password": password,
        "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()],
    }
    return registration.sign_up(ctx, _with_secret_hash(client, username, req, "SecretHash"))


def confirm(ctx: Ctx, client: Client, username: str, code: str) -> None:
    """ConfirmSignUp with the code the user was sent."""
    req = {"ClientId": client.id, "Username": username, "ConfirmationCode": code}
    registration.confirm_sign_up(ctx, _with_secret_hash(client, username, req, "SecretHash"))


def resend(ctx: Ctx, client: Client, username: str) -> dict[str, Any]:
    """ResendConfirmationCode."""
    req = {"ClientId": client.id, "Username": username}
    return registration.resend_confirmation_code(ctx, _with_secret_hash(client, username, req, "SecretHash"))


def forgot(ctx: Ctx, client: Client, username: str) -> dict[str, Any]:
    """ForgotPassword."""
    req = {"ClientId": client.id, "Username": username}
    return recovery.forgot_password(ctx, _with_secret_hash(client, username, req, "SecretHash"))


def reset(ctx: Ctx, client: Client, username: str, code: str, password: str) -> None:
    """ConfirmForgotPassword."""
    req = {"ClientId": client.id, "Username": username, "ConfirmationCode": code, "Password": password}
    recovery.confirm_forgot_password(ctx, _with_secret_hash(client, username, req, "SecretHash"))


def auth_event_feedback(ctx: Ctx, pool_id: str, username: str, event_id: str, token: str, value: str) -> None:
    """UpdateAuthEventFeedback, from a one-click link of a threat protection notice."""
    auth_events.update_auth_event_feedback(
        ctx,
        {
            "UserPoolId": pool_id,
            "Username": username,
            "EventId": event_id,
            "FeedbackToken": token,
            "FeedbackValue": value,
        },
    )
