"""console sign-in attempts: guess counters by name and by (name, client address), unknown names included

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sign_in_attempts",
        sa.Column("counter_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("counter_key", name=op.f("pk_console_sign_in_attempts")),
    )
    op.create_index(op.f("ix_console_sign_in_attempts_expires_at"), "console_sign_in_attempts", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sign_in_attempts_expires_at"), table_name="console_sign_in_attempts")
    op.drop_table("console_sign_in_attempts")
