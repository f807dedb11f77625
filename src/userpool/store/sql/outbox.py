"""Outgoing email and SMS, written in the same transaction as the change that causes them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from userpool.model.records import NewMessage, OutboxMessage
from userpool.store.sql.tables import outbox_messages as t


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        row.id,
        row.pool_id,
        row.channel,
        row.destination,
        row.subject,
        row.body,
        row.status,
        row.attempts,
        row.last_error,
        row.created_at,
        row.next_attempt_at,
        row.sent_at,
    )


class SqlOutboxRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, message: NewMessage, now: float) -> int:
        result = self._conn.execute(
            t.insert()
            .values(
                pool_id=message.pool_id,
                channel=message.channel,
                destination=message.destination,
                subject=message.subject,
                body=message.body,
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
            if row is not None:
                claimed.append(_message(row))
        return claimed

    def mark_sent(self, message_id: int, now: float) -> None:
        self._conn.execute(t.update().where(t.c.id == message_id).values(status="sent", sent_at=now, last_error=None))

    def mark_failed(self, message_id: int, error: str, retry_at: float | None) -> None:
        values: dict[str, Any] = {"last_error": error[:2000]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values.update(status="pending", next_attempt_at=retry_at)
        self._conn.execute(t.update().where(t.c.id == message_id).values(**values))

    def recent(self, limit: int) -> list[OutboxMessage]:
        rows = self._conn.execute(sa.select(t).order_by(t.c.id.desc()).limit(limit)).all()
        return [_message(r) for r in rows]
