"""Threat protection around a sign-in: its event in the user's history, from the first step to the last,
and the risk response it must undergo (Cognito developer guide: 'Adaptive authentication').

``start`` runs before a sign-in's first step (InitiateAuth, AdminInitiateAuth, the hosted sign-in page): in a
protected pool it assesses the attempt, records a SignIn event for the user the name designates, sends the
notice the configuration asks for and, in ENFORCED mode, refuses a blocked attempt, for a name no user has as
for a user. ``resume`` finds the event again from the Session (or SRP SECRET_BLOCK) a later step answers.
``run`` carries the step out: with the risk response in ``Ctx.risk_response`` (an MFA step, see
sign_in/steps/outcome.py), then records how it went: InProgress with the next challenge, Pass once the
sign-in is complete, Fail when it was refused, with the factor it proved or failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.errors import (
    CodeMismatchException,
    CognitoError,
    ExpiredCodeException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from userpool.model.auth_events import (
    AuthEvent,
    ChallengeKind,
    ChallengeResult,
    EventResponse,
    EventType,
    RiskDecision,
    new_event_id,
)
from userpool.model.client_config import propagates_user_context
from userpool.model.pool_config import advanced_security_mode, custom_auth_security_mode
from userpool.model.records import Client, Pool
from userpool.model.risk_assessment import MFA_IF_CONFIGURED, MFA_REQUIRED, EventNote, RiskResponse, event_context
from userpool.model.risk_configuration import takeover_action
from userpool.services.lookup.records import find_user
from userpool.services.threat_protection.steps.adaptive_signals import attempt_of
from userpool.services.threat_protection.steps.event_log import record
from userpool.services.threat_protection.steps.notifications import notify
from userpool.services.threat_protection.steps.risk_assessment import assess_sign_in

T = TypeVar("T")
OFF = "OFF"
# The refusals that make a sign-in step a failed one in the history; other errors (a malformed request, a
# trigger's failure) leave the event as it was.
FAILURES = (
    NotAuthorizedException,
    CodeMismatchException,
    ExpiredCodeException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)


@dataclass(frozen=True, slots=True)
class Watch:
    """A sign-in under threat protection: its event (never stored for a name no user has, whose ``sub`` is
    empty), and the response its risk calls for."""

    event: AuthEvent
    risk: RiskResponse | None = None

    def ctx(self, ctx: Ctx) -> Ctx:
        return replace(ctx, risk_response=self.risk) if self.risk is not None else ctx


def sign_in_mode(pool: Pool, custom: bool = False) -> str:
    """The mode protecting a sign-in: AdvancedSecurityMode, or for CUSTOM_AUTH the additional flows' mode."""
    return custom_auth_security_mode(pool) if custom else advanced_security_mode(pool)


def watched(pool: Pool, custom: bool = False) -> bool:
    """Whether sign-ins of this kind are watched in the pool (its mode is not OFF)."""
    return sign_in_mode(pool, custom) != OFF


def request_context(ctx: Ctx, client: Client, request: dict[str, Any], *, admin: bool) -> dict[str, str]:
    """EventContextData of a sign-in request (model/risk_assessment.py ``event_context``)."""
    return event_context(
        ctx.source_ip, request, admin=admin, propagates=propagates_user_context(client), user_agent=ctx.user_agent
    )


def start(
    ctx: Ctx,
    pool: Pool,
    client: Client,
    username: str | None,
    context: dict[str, str],
    *,
    custom: bool = False,
    device_key: str | None = None,
) -> Watch | None:
    """Before a sign-in's first step: None where it is not watched (the pool's mode is OFF for it).
    NotAuthorizedException, with Cognito's words, when ENFORCED blocks it. ``context`` is the attempt's
    EventContextData, to which the GeoIP database adds City and Country; ``device_key`` the DEVICE_KEY it
    presented, if any.

    A name no user has is watched too, with an event that is never stored: its steps cost the statements a
    user's do (docs/architecture.md, Security invariants: a name no user has costs what a user's does)."""
    mode = sign_in_mode(pool, custom)
    if mode == OFF:
        return None
    attempt = attempt_of(ctx, context, device_key)
    with ctx.store.write() as tx:
        user = find_user(tx, pool, username) if username and "\x00" not in username else None
        assessed = assess_sign_in(ctx, tx, pool, client, user, attempt, mode)
        found = assessed.assessment
        marks = attempt.marks
        event = AuthEvent(
            pool.id,
            user.sub if user is not None else "",
            new_event_id(),
            EventType.SignIn,
            ctx.now,
            EventResponse.Fail if found.refused else EventResponse.InProgress,
            risk_decision=found.decision,
            risk_level=found.level,
            context=dict(attempt.context),
            client_id=client.id,
            network=marks.network,
            device=marks.device,
        )
        noticed = found.action.notify and found.decision != RiskDecision.NoRisk and user is not None
        if noticed and user is not None:
            event = notify(ctx, tx, pool, user, event, found.action.event_action, assessed.config)
        # A name no user has: an update that finds no row, where a user's event is inserted.
        record(ctx, tx, event, new=user is not None)
    if noticed:
        ctx.deps.wake_outbox()
    ctx.metrics.risk_decision(found.level, found.decision)
    if found.refused:
        raise NotAuthorizedException(found.refusal_message)
    return Watch(event, RiskResponse(found.mfa) if found.mfa else None)


def link_of(challenge: dict[str, Any] | None) -> str | None:
    """What a sign-in's next step will present: the challenge's Session, or SRP's SECRET_BLOCK."""
    if not challenge:
        return None
    session = challenge.get("Session")
    if session:
        return str(session)
    block = (challenge.get("ChallengeParameters") or {}).get("SECRET_BLOCK")
    return str(block) if block else None


def resume(ctx: Ctx, pool: Pool, link: str | None) -> Watch | None:
    """The watch of the sign-in a later step (its Session, or SRP's PASSWORD_CLAIM_SECRET_BLOCK) carries on;
    None when it is not watched."""
    if not link or (sign_in_mode(pool) == OFF and custom_auth_security_mode(pool) == OFF):
        return None
    with ctx.store.read() as tx:
        event = tx.auth_events.by_link(pool.id, digest(link))
        if event is None:
            return None
        risk = None
        if event.risk_decision == RiskDecision.AccountTakeover and event.risk_level is not None:
            config = tx.risk_configurations.for_client(pool.id, event.client_id)
            action = takeover_action(config, event.risk_level).event_action
            if action in (MFA_REQUIRED, MFA_IF_CONFIGURED):
                risk = RiskResponse(action)
    return Watch(event, risk)


def _noted(event: AuthEvent, note: EventNote) -> AuthEvent:
    return replace(event, compromised=True) if note.compromised else event


def _answered(event: AuthEvent, kind: ChallengeKind | None, result: ChallengeResult) -> AuthEvent:
    return replace(event, challenges=(*event.challenges, (kind, result))) if kind is not None else event


def run(
    ctx: Ctx,
    watch: Watch | None,
    kind: ChallengeKind | None,
    step: Callable[[Ctx], T],
    progress: Callable[[T], tuple[dict[str, Any] | None, bool]],
) -> T:
    """Carry out a sign-in step (``step``, with the watch's risk response) and record how it went: the factor
    ``kind`` it proves, and from ``progress`` of its result the next challenge, or whether the sign-in is
    complete. Unwatched, the step just runs."""
    if watch is None:
        return step(ctx)
    note = EventNote()
    try:
        result = step(replace(watch.ctx(ctx), event_note=note))
    except CognitoError as err:
        if isinstance(err, FAILURES) or note.compromised:
            # The link stays: a step that may be tried again (a mistyped code) carries on the same event.
            failed = replace(_answered(watch.event, kind, ChallengeResult.Failure), response=EventResponse.Fail)
            with ctx.store.write() as tx:
                record(ctx, tx, _noted(failed, note), new=False)
        raise
    challenge, done = progress(result)
    event = _noted(_answered(watch.event, kind, ChallengeResult.Success), note)
    if done:
        event = replace(event, response=EventResponse.Pass, link_hash=None)
    else:
        link = link_of(challenge)
        event = replace(event, response=EventResponse.InProgress, link_hash=digest(link) if link else None)
    with ctx.store.write() as tx:
        record(ctx, tx, event, new=False)
    return result


def api_progress(result: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """How an InitiateAuth / RespondToAuthChallenge answer leaves the sign-in: its challenge, or complete."""
    if "AuthenticationResult" in result:
        return None, True
    return result, False
