"""Outgoing email and SMS, written in the same transaction as the change that causes them.

A message's subject and body hold codes, temporary passwords and links carrying codes, so they are sealed
(AES-GCM under the server secrets, bound to the recipient) in ``content_sealed``, and that column is set
to NULL once the message no longer needs them: when it is delivered, when delivery is given up, or when the
retention of the messages the log sender keeps ends (delivery/dispatcher.py says when).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa

from userpool.crypto.sealing import Sealer, SealError
from userpool.model.records import NewMessage, OutboxEntry, OutboxMessage
from userpool.store.sql.tables import outbox_messages as t

log = logging.getLogger("userpool.delivery")

_ENVELOPE = [c for c in t.c if c.name != "content_sealed"]
_UNREADABLE = "its text was sealed with a server secret that is no longer configured"
# Through the (status, next_attempt_at) index: only the waiting messages are read, not the week of history.
_QUEUED = (
    sa.select(t.c.channel, sa.func.count().label("waiting"))
    .where(t.c.status.in_(["pending", "sending"]))
    .group_by(t.c.channel)
)


def _context(channel: str, destination: str) -> str:
    # Binds the sealed text to its recipient: text moved to another row does not open.
    return f"outbox:{channel}:{destination}"


def seal_content(
    sealer: Sealer,
    channel: str,
    destination: str,
    subject: str | None,
    body: str,
    mail_from: str | None = None,
    reply_to: str | None = None,
) -> str:
    """The sealed form of a message's text and senders, as ``content_sealed`` holds it (also used by the
    migration that sealed the messages queued before it)."""
    content = {"subject": subject, "body": body, "from": mail_from, "reply_to": reply_to}
    return sealer.seal(json.dumps(content), _context(channel, destination))


def open_content(sealer: Sealer, channel: str, destination: str, sealed: str) -> dict[str, Any]:
    """``{"subject", "body", "from", "reply_to"}`` from ``content_sealed``; SealError when no configured
    server secret opens it."""
    content: dict[str, Any] = json.loads(sealer.unseal(sealed, _context(channel, destination)))
    return content


def _envelope(row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in _ENVELOPE}


class SqlOutboxRepo:
    def __init__(self, conn: sa.Connection, sealer: Sealer) -> None:
        self._conn = conn
        self._sealer = sealer

    def _message(self, row: Any) -> OutboxMessage:
        """Raises SealError when no configured server secret opens the row's text."""
        content = open_content(self._sealer, row.channel, row.destination, row.content_sealed)
        return OutboxMessage(
            **_envelope(row),
            subject=content.get("subject"),
            body=content["body"],
            mail_from=content.get("from"),
            reply_to=content.get("reply_to"),
        )

    def add(self, message: NewMessage, now: float) -> int:
        m = message
        sealed = seal_content(self._sealer, m.channel, m.destination, m.subject, m.body, m.mail_from, m.reply_to)
        result = self._conn.execute(
            t.insert()
            .values(
                pool_id=message.pool_id,
                channel=message.channel,
                destination=message.destination,
                content_sealed=sealed,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
            .returning(t.c.id)
        )
        return int(result.scalar_one())

    def claim_due(self, now: float, limit: int, lease_seconds: float) -> list[OutboxMessage]:
        due = sa.or_(
            sa.and_(t.c.status == "pending", t.c.next_attempt_at <= now),
            # A sender that died mid-send leaves "sending" rows; they are retried after the lease.
            sa.and_(t.c.status == "sending", t.c.next_attempt_at <= now),
        )
        ids = [
            r.id
            for r in self._conn.execute(
                sa.select(t.c.id).where(due).order_by(t.c.next_attempt_at, t.c.id).limit(limit)
            ).all()
        ]
        claimed: list[OutboxMessage] = []
        for message_id in ids:
            # Conditional update: of two instances racing for a row, exactly one gets rowcount 1.
            row = self._conn.execute(
                t.update()
                .where(t.c.id == message_id, due)
                .values(status="sending", attempts=t.c.attempts + 1, next_attempt_at=now + lease_seconds)
                .returning(*t.c)
            ).first()
            if row is None:
                continue
            try:
                claimed.append(self._message(row))
            except SealError:
                # Retrying cannot help: the secret that sealed it was removed from USERPOOL_SECRET_KEYS.
                log.warning("message %d not delivered: %s", message_id, _UNREADABLE)
                self.mark_failed(message_id, _UNREADABLE, None)
        return claimed

    def mark_sent(self, message_id: int, now: float, keep_text: bool = False) -> None:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
        if not keep_text:
            values["content_sealed"] = None
        self._conn.execute(t.update().where(t.c.id == message_id).values(**values))

    def mark_failed(self, message_id: int, error: str, retry_at: float | None) -> None:
        values: dict[str, Any] = {"last_error": error[:2000]}
        if retry_at is None:
            values.update(status="failed", content_sealed=None)
        else:
            values.update(status="pending", next_attempt_at=retry_at)
        self._conn.execute(t.update().where(t.c.id == message_id).values(**values))

    def purge(self, texts_sent_before: float, rows_created_before: float) -> None:
        self._conn.execute(
            t.update()
            .where(t.c.status == "sent", t.c.sent_at < texts_sent_before, t.c.content_sealed.is_not(None))
            .values(content_sealed=None)
        )
        self._conn.execute(t.delete().where(t.c.status.in_(["sent", "failed"]), t.c.created_at < rows_created_before))

    def recent(self, limit: int) -> list[OutboxEntry]:
        rows = self._conn.execute(sa.select(*_ENVELOPE).order_by(t.c.id.desc()).limit(limit)).all()
        return [OutboxEntry(**_envelope(r)) for r in rows]

    def queued(self) -> dict[str, int]:
        rows = self._conn.execute(_QUEUED).all()
        return {str(r.channel): int(r.waiting) for r in rows}

    def recent_texts(self, limit: int) -> list[OutboxMessage]:
        rows = self._conn.execute(
            sa.select(t).where(t.c.content_sealed.is_not(None)).order_by(t.c.id.desc()).limit(limit)
        ).all()
        messages: list[OutboxMessage] = []
        for row in rows:
            try:
                messages.append(self._message(row))
            except SealError:
                continue  # sealed under a secret no longer configured: nothing can read it
        return messages
