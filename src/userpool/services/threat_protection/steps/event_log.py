"""Recording users' auth events: the one place an event is written, so that whatever else must see every
event (a log sink) can be added here.

Events are recorded only while the pool's AdvancedSecurityMode is AUDIT or ENFORCED (Cognito developer guide:
'Viewing and exporting user event history'), and kept for ``auth_event_retention_days`` (Cognito keeps them
two years); older ones are deleted now and then (services/housekeeping.py).

Where the pool's log delivery exports ``userAuthEvents``, every state an event is recorded in (InProgress,
then Pass or Fail, a later CompromisedCredentialsDetected) is also exported, in Cognito's user-activity shape
(model/log_events.py), through the log delivery port once the transaction has committed (Cognito developer
guide: 'Exporting threat protection user activity logs').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from userpool.context import Ctx
from userpool.errors import (
    CodeMismatchException,
    CognitoError,
    ExpiredCodeException,
    NotAuthorizedException,
    UserPoolAddOnNotEnabledException,
)
from userpool.model import log_delivery, log_events
from userpool.model.auth_events import AuthEvent, EventResponse, EventType, new_event_id
from userpool.model.client_config import propagates_user_context
from userpool.model.pool_config import advanced_security_mode
from userpool.model.records import Pool, User
from userpool.model.risk_assessment import EventNote, event_context
from userpool.model.vocabulary import LogEventSource
from userpool.services import housekeeping
from userpool.services.lookup.app_clients import app_client
from userpool.services.lookup.records import find_user
from userpool.services.threat_protection.steps.adaptive_signals import place_of, with_place
from userpool.store.base import Tx

T = TypeVar("T")
# The refusals that make a user's operation a failed event (a wrong code or password); other errors leave
# no event.
FAILURES = (NotAuthorizedException, CodeMismatchException, ExpiredCodeException)

DAY_SECONDS = 86_400.0
# [unverified]: Cognito's wording for a pool whose threat protection is off.
ADD_ON_NOT_ENABLED = "Advanced security features are not enabled for this user pool."


def protected(pool: Pool) -> bool:
    """Whether the pool records and assesses auth events (AdvancedSecurityMode AUDIT or ENFORCED)."""
    return advanced_security_mode(pool) != "OFF"


def require_protection(pool: Pool) -> None:
    """UserPoolAddOnNotEnabledException unless threat protection is on for the pool."""
    if not protected(pool):
        raise UserPoolAddOnNotEnabledException(ADD_ON_NOT_ENABLED)


def record(ctx: Ctx, tx: Tx, event: AuthEvent, *, new: bool) -> None:
    """Write ``event`` in the caller's transaction: a new one, or a later state of one recorded before. A new
    event's context gets the City and Country the GeoIP database gives its address, unless it has them."""
    if new:
        context = event.context
        if context.get("IpAddress") and not (context.get("City") or context.get("Country")):
            event = replace(event, context=with_place(context, place_of(ctx, context)))
        tx.auth_events.add(event)
    else:
        tx.auth_events.update(event)
    if housekeeping.due("auth_events", ctx.now):
        tx.auth_events.delete_expired(ctx.now - ctx.settings.auth_event_retention_days * DAY_SECONDS)
    _export(ctx, tx, event)


def _export(ctx: Ctx, tx: Tx, event: AuthEvent) -> None:
    """Export ``event`` after the commit where the pool's log delivery takes user activity. The event of a
    name no user has (no ``sub``: never stored) is looked up as a user's would be, and exported nowhere."""
    pool = tx.pools.get(event.pool_id)
    destination = log_delivery.destination_arn(pool, LogEventSource.userAuthEvents) if pool is not None else None
    if destination is None:
        return
    user = tx.users.get_by_sub(event.pool_id, event.sub)
    if user is None or not event.sub:
        return
    exported = log_events.user_activity(event, user.username, ctx.request_id)
    logs = ctx.deps.logs
    tx.after_commit(lambda: logs.ship(destination, exported))


def record_user_event(
    ctx: Ctx,
    pool: Pool,
    user: User,
    event_type: EventType,
    response: EventResponse,
    context: dict[str, str],
    client_id: str | None = None,
    compromised: bool = False,
) -> AuthEvent | None:
    """Record a sign-up, password change, recovery or code resend of ``user`` (its own transaction); None,
    nothing written, in a pool without threat protection. Compromised-credentials detection may flag the
    event (``compromised``, or afterwards ``mark_compromised``)."""
    if not protected(pool):
        return None
    event = AuthEvent(
        pool.id,
        user.sub,
        new_event_id(),
        event_type,
        ctx.now,
        response,
        compromised=compromised,
        context=dict(context),
        client_id=client_id,
    )
    with ctx.store.write() as tx:
        record(ctx, tx, event, new=True)
    return event


def mark_compromised(ctx: Ctx, event: AuthEvent) -> AuthEvent:
    """Flag ``event`` with CompromisedCredentialsDetected (its own transaction)."""
    flagged = replace(event, compromised=True)
    with ctx.store.write() as tx:
        record(ctx, tx, flagged, new=False)
    return flagged


def around_user_event(
    ctx: Ctx, client_id: str, username: str, event_type: EventType, request: dict[str, Any], run: Callable[[Ctx], T]
) -> T:
    """Run an unsigned operation of ``username`` through app client ``client_id`` (SignUp,
    ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword) and, in a protected pool, record its event
    for the user the name designates afterwards: Pass, or Fail when it was refused for a wrong code or
    password, or a compromised one (which also marks the event CompromisedCredentialsDetected). Names no user
    has record nothing, so the history tells nothing of them."""
    try:
        with ctx.store.read() as tx:
            pool, client = app_client(tx, client_id)
    except CognitoError:
        return run(ctx)  # the operation answers the bad client itself
    if not protected(pool):
        return run(ctx)
    context = event_context(
        ctx.source_ip, request, admin=False, propagates=propagates_user_context(client), user_agent=ctx.user_agent
    )
    note = EventNote()
    try:
        result = run(replace(ctx, event_note=note))
    except CognitoError as err:
        if isinstance(err, FAILURES) or note.compromised:
            _record_named(ctx, pool, username, event_type, EventResponse.Fail, context, client.id, note.compromised)
        raise
    _record_named(ctx, pool, username, event_type, EventResponse.Pass, context, client.id, note.compromised)
    return result


def _record_named(
    ctx: Ctx,
    pool: Pool,
    username: str,
    event_type: EventType,
    response: EventResponse,
    context: dict[str, str],
    client_id: str,
    compromised: bool,
) -> None:
    """Record the event of the user ``username`` designates; for a name no user has, the same transaction
    with an update that finds no row, so that it costs what a user's does (docs/architecture.md, Security
    invariants)."""
    with ctx.store.write() as tx:
        user = find_user(tx, pool, username) if username and "\x00" not in username else None
        sub = user.sub if user is not None else ""
        event = AuthEvent(
            pool.id,
            sub,
            new_event_id(),
            event_type,
            ctx.now,
            response,
            compromised=compromised,
            context=dict(context),
            client_id=client_id,
        )
        record(ctx, tx, event, new=user is not None)
