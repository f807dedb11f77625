"""password history: the hashes of users' previous passwords, for PasswordHistorySize

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TIME = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "password_history",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("replaced_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_password_history_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "sub", "position", name=op.f("pk_password_history")),
    )


def downgrade() -> None:
    op.drop_table("password_history")
