"""outbox: message text sealed at rest, forgotten once delivered

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

``subject`` and ``body`` held codes and temporary passwords in clear text. They become one sealed column,
NULL for messages that no longer need their text. Messages still waiting are sealed with the server secrets
that ``userpool.store.sql.migrate.upgrade`` is given; the text of delivered and failed ones is dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from userpool.crypto.sealing import Sealer
from userpool.store.sql.outbox import open_content, seal_content

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WAITING = ("pending", "sending")


def _sealer() -> Sealer | None:
    found = context.config.attributes.get("sealer")
    return found if isinstance(found, Sealer) else None


def _outbox_table() -> sa.TableClause:
    """outbox_messages as both sides of this revision see it: the clear columns and the sealed one."""
    return sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer()),
        sa.column("channel", sa.String()),
        sa.column("destination", sa.String()),
        sa.column("subject", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("status", sa.String()),
        sa.column("content_sealed", sa.Text()),
    )


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sealed", sa.Text(), nullable=True))
    conn = op.get_bind()
    t = _outbox_table()
    waiting = conn.execute(sa.select(t).where(t.c.status.in_(_WAITING))).all()
    sealer = _sealer()
    if waiting and sealer is None:
        raise RuntimeError(
            "outbox messages still waiting to be sent must be sealed with the server secrets: "
            "run `userpool migrate` (or `userpool serve`) rather than Alembic alone"
        )
    for row in waiting:
        assert sealer is not None
        sealed = seal_content(sealer, row.channel, row.destination, row.subject, row.body)
        conn.execute(t.update().where(t.c.id == row.id).values(content_sealed=sealed))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("body")
        batch_op.drop_column("subject")


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    t = _outbox_table()
    sealer = _sealer()
    if sealer is not None:
        for row in conn.execute(sa.select(t).where(t.c.content_sealed.is_not(None))).all():
            content = open_content(sealer, row.channel, row.destination, row.content_sealed)
            text = {"subject": content.get("subject"), "body": content["body"]}
            conn.execute(t.update().where(t.c.id == row.id).values(**text))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("body", server_default=None)
        batch_op.drop_column("content_sealed")
