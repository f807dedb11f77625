"""mfa: each user's TOTP authenticator, its secrets sealed, and the last accepted time step (TOTP)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TIME = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "software_tokens",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("pending_secret_sealed", sa.Text(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("friendly_name", sa.Text(), nullable=True),
        sa.Column("verified_at", _TIME, nullable=True),
        sa.Column("associated_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_software_tokens_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "sub", name=op.f("pk_software_tokens")),
    )


def downgrade() -> None:
    op.drop_table("software_tokens")
