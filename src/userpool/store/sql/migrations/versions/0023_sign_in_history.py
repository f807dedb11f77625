"""auth_events.network, device and ip_address, and the indexes adaptive authentication reads the history by

Revision ID: 0023_sign_in_history
Revises: 0022_auth_event_links
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_sign_in_history"
down_revision = "0022_auth_event_links"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_auth_events_outcomes": ["pool_id", "sub", "event_type", "response", "created_at"],
    "ix_auth_events_networks": ["pool_id", "sub", "event_type", "response", "network"],
    "ix_auth_events_devices": ["pool_id", "sub", "event_type", "response", "device"],
    "ix_auth_events_addresses": ["pool_id", "ip_address", "event_type", "response", "created_at"],
}


def upgrade() -> None:
    with op.batch_alter_table("auth_events") as batch:
        batch.add_column(sa.Column("network", sa.String(64), nullable=True))
        batch.add_column(sa.Column("device", sa.String(64), nullable=True))
        batch.add_column(sa.Column("ip_address", sa.String(64), nullable=True))
    for name, columns in INDEXES.items():
        op.create_index(name, "auth_events", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="auth_events")
    with op.batch_alter_table("auth_events") as batch:
        batch.drop_column("ip_address")
        batch.drop_column("device")
        batch.drop_column("network")
