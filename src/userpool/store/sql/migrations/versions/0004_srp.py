"""srp: each user's SRP salt and sealed verifier (docs/srp.md; docs/architecture.md, Storage)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: users whose password was set before this revision get a verifier at their next password
    # sign-in, the first moment the server sees the plaintext again.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("srp_salt", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("srp_verifier_sealed", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("srp_verifier_sealed")
        batch_op.drop_column("srp_salt")
