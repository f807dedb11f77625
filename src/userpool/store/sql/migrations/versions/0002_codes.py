"""one-time codes

Revision ID: 0002_codes
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_codes"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "one_time_codes",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attribute", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.Float(precision=53), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempts_since", sa.Float(precision=53), nullable=True),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("issued_since", sa.Float(precision=53), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_one_time_codes_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "sub", "purpose", name=op.f("pk_one_time_codes")),
    )


def downgrade() -> None:
    op.drop_table("one_time_codes")
