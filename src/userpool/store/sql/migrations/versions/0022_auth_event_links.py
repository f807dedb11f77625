"""auth_events.link_hash: the digest of the Session of a sign-in's open challenge, by which its next step
finds the event

Revision ID: 0022_auth_event_links
Revises: 0021_client_secrets
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_auth_event_links"
down_revision = "0021_client_secrets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_events") as batch:
        batch.add_column(sa.Column("link_hash", sa.String(64), nullable=True))
    op.create_index("ix_auth_events_pool_id_link_hash", "auth_events", ["pool_id", "link_hash"])


def downgrade() -> None:
    op.drop_index("ix_auth_events_pool_id_link_hash", table_name="auth_events")
    with op.batch_alter_table("auth_events") as batch:
        batch.drop_column("link_hash")
