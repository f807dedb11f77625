"""The notice mail of adaptive authentication: written to the outbox in the transaction that records the
event, from NotifyConfiguration's From (else its SES identity's address, else the server's sender) and
ReplyTo, to the user's email address. Its one-click links carry the event's feedback token, which only its
SHA-256 is kept of, to the pool domain's ``/authEventFeedback`` (UpdateAuthEventFeedback)."""

from __future__ import annotations

from dataclasses import replace

from userpool.context import Ctx
from userpool.crypto.opaque import digest, new_opaque_value
from userpool.model.auth_events import AuthEvent
from userpool.model.records import NewMessage, Pool, User
from userpool.model.risk_configuration import RiskConfiguration, notification_sender, notify_configuration
from userpool.model.risk_notifications import NoticeFacts, notice
from userpool.model.vocabulary import DeliveryMedium
from userpool.services.directory.domains import pages_url
from userpool.store.base import Tx

FEEDBACK_PATH = "/authEventFeedback"


def notify(
    ctx: Ctx, tx: Tx, pool: Pool, user: User, event: AuthEvent, event_action: str, config: RiskConfiguration | None
) -> AuthEvent:
    """Queue the notice of ``event`` (a sign-in that met ``event_action``) for the user, in ``tx``; the event
    with the digest of the feedback token its links carry. A user without an email address gets none."""
    address = user.attributes.get("email")
    if not address:
        return event
    token = new_opaque_value()
    facts = NoticeFacts(
        username=user.username,
        pool_id=pool.id,
        event_id=event.event_id,
        feedback_token=token,
        created_at=event.created_at,
        context=event.context,
        feedback_url=pages_url(ctx, tx, pool.id) + FEEDBACK_PATH,
    )
    settings = notify_configuration(config)
    message = notice(settings, event_action, facts)
    tx.outbox.add(
        NewMessage(
            pool.id,
            DeliveryMedium.EMAIL,
            address,
            message.subject,
            message.body,
            mail_from=notification_sender(settings),
            reply_to=settings.get("ReplyTo") or None,
        ),
        ctx.now,
    )
    return replace(event, feedback_token_hash=digest(token))
