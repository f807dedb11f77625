"""risk_configurations and auth_events: threat protection's configurations and users' event histories

Revision ID: 0020_threat_protection
Revises: 0019_saml_session_lookup
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_threat_protection"
down_revision = "0019_saml_session_lookup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_configurations",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], ondelete="CASCADE", name="fk_risk_configurations_pool_id_pools"
        ),
        sa.PrimaryKeyConstraint("pool_id", "client_id", name="pk_risk_configurations"),
    )
    op.create_table(
        "auth_events",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("event_id", sa.String(50), nullable=False),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=True),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("response", sa.String(16), nullable=False),
        sa.Column("risk_decision", sa.String(16), nullable=False),
        sa.Column("risk_level", sa.String(8), nullable=True),
        sa.Column("compromised", sa.Boolean(), nullable=False),
        sa.Column("challenges", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("feedback_value", sa.String(8), nullable=True),
        sa.Column("feedback_provider", sa.String(32), nullable=True),
        sa.Column("feedback_at", sa.Float(precision=53), nullable=True),
        sa.Column("feedback_token_hash", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_auth_events_user"
        ),
        sa.PrimaryKeyConstraint("pool_id", "event_id", name="pk_auth_events"),
    )
    op.create_index(
        "ix_auth_events_pool_id_sub_created_at_event_id", "auth_events", ["pool_id", "sub", "created_at", "event_id"]
    )
    op.create_index("ix_auth_events_created_at", "auth_events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_events_created_at", table_name="auth_events")
    op.drop_index("ix_auth_events_pool_id_sub_created_at_event_id", table_name="auth_events")
    op.drop_table("auth_events")
    op.drop_table("risk_configurations")
