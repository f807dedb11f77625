"""user_stand_ins: the lockout counters and codes kept for names no user has, where the client hides which
users exist

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIME = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "user_stand_ins",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("forget_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_user_stand_ins_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "kind", "subject", name=op.f("pk_user_stand_ins")),
    )
    op.create_index(op.f("ix_user_stand_ins_forget_at"), "user_stand_ins", ["forget_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_stand_ins_forget_at"), table_name="user_stand_ins")
    op.drop_table("user_stand_ins")
