"""clients: a second secret while secrets are rotated, and when each was made (AddUserPoolClientSecret)

Revision ID: 0021_client_secrets
Revises: 0020_threat_protection
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_client_secrets"
down_revision = "0020_threat_protection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs on SQLite too: copying the clients table would cascade to every row that refers to it.
    # A NULL secret_created_at reads as the client's created_at: until now a client's secret was made with it.
    op.add_column("clients", sa.Column("secret_created_at", sa.Float(precision=53), nullable=True))
    op.add_column("clients", sa.Column("next_secret_sealed", sa.Text(), nullable=True))
    op.add_column("clients", sa.Column("next_secret_created_at", sa.Float(precision=53), nullable=True))


def downgrade() -> None:
    op.drop_column("clients", "next_secret_created_at")
    op.drop_column("clients", "next_secret_sealed")
    op.drop_column("clients", "secret_created_at")
