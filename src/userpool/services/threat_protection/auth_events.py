"""The user event history: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback and UpdateAuthEventFeedback
(AWS: their API references; Cognito developer guide: 'Viewing and exporting user event history', 'Providing
event feedback').

All three need threat protection on the pool (AdvancedSecurityMode AUDIT or ENFORCED). UpdateAuthEventFeedback
is unsigned: the FeedbackToken of a notification mail is its only credential, compared in constant time with
the digest kept with the event, and every way it can fail (no such user, no such event, another user's event,
a wrong token) answers alike, so that it tells no one which users exist.
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto.opaque import digest
from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.model import auth_events
from userpool.model.auth_events import ADMIN_PROVIDER, USER_PROVIDER, AuthEvent, FeedbackValue
from userpool.model.paging import page_limit
from userpool.model.records import Pool
from userpool.services.lookup.records import find_user, pool_or_404, user_or_404
from userpool.services.threat_protection.steps.event_log import require_protection
from userpool.store.base import Tx

LIST_SCOPE = "AdminListUserAuthEvents"
EVENT_NOT_FOUND = "Auth event not found."  # [unverified]
INVALID_FEEDBACK_TOKEN = "The feedback token is not valid."  # noqa: S105 [unverified]
# Compared against when there is no event to compare with, so that a miss costs what a hit does.
_NO_DIGEST = digest("")


def admin_list_user_auth_events(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """AdminListUserAuthEvents: the user's events, newest first, a page of MaxResults (60 when 0 or absent)."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        require_protection(pool)
        user = user_or_404(tx, pool, req["Username"])
        scope = f"{LIST_SCOPE}:{pool.id}:{user.sub}"
        after = ctx.deps.page_tokens.decode(req.get("NextToken"), scope)
        page = tx.auth_events.of_user(pool.id, user.sub, page_limit(req.get("MaxResults")), after)
    result: dict[str, Any] = {"AuthEvents": [auth_events.wire(event) for event in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token:
        result["NextToken"] = token
    return result


def _with_feedback(ctx: Ctx, event: AuthEvent, value: str, provider: str) -> AuthEvent:
    return replace(event, feedback_value=FeedbackValue(value), feedback_provider=provider, feedback_at=ctx.now)


def admin_update_auth_event_feedback(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """AdminUpdateAuthEventFeedback: record an administrator's Valid or Invalid on one of the user's events."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        require_protection(pool)
        user = user_or_404(tx, pool, req["Username"])
        event = tx.auth_events.get(pool.id, req["EventId"])
        if event is None or event.sub != user.sub:
            raise ResourceNotFoundException(EVENT_NOT_FOUND)
        tx.auth_events.update(_with_feedback(ctx, event, req["FeedbackValue"], ADMIN_PROVIDER))
    return {}


def _token_event(tx: Tx, pool: Pool, username: str, event_id: str, token: str) -> AuthEvent:
    """The event the feedback token was issued for; NotAuthorized, the same whatever is wrong."""
    user = find_user(tx, pool, username) if "\x00" not in username else None
    event = tx.auth_events.get(pool.id, event_id) if user is not None else None
    stored = event.feedback_token_hash if event is not None else None
    matches = hmac.compare_digest(digest(token), stored or _NO_DIGEST)
    if event is None or user is None or event.sub != user.sub or stored is None or not matches:
        raise NotAuthorizedException(INVALID_FEEDBACK_TOKEN)
    return event


def update_auth_event_feedback(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """UpdateAuthEventFeedback: the user's Valid or Invalid on an event, through the one-click links of the
    notification mail, which carry the event's FeedbackToken."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        require_protection(pool)
        event = _token_event(tx, pool, req["Username"], req["EventId"], req["FeedbackToken"])
        tx.auth_events.update(_with_feedback(ctx, event, req["FeedbackValue"], USER_PROVIDER))
    return {}
