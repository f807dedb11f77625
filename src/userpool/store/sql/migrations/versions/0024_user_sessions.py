"""sign_in_sessions, hosted_sessions, authorization_codes: what session management lists (ListUserSessions)

Revision ID: 0024_user_sessions
Revises: 0023_sign_in_history
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_user_sessions"
down_revision = "0023_sign_in_history"
branch_labels = None
depends_on = None

_ACTIVITY = ("last_active_at", "last_ip", "device_type")


def _activity() -> list[sa.Column[object]]:
    return [
        sa.Column("last_active_at", sa.Float(precision=53), nullable=True),
        sa.Column("last_ip", sa.String(length=128), nullable=True),
        sa.Column("device_type", sa.String(length=1024), nullable=True),
    ]


def upgrade() -> None:
    # Plain ADD COLUMNs on SQLite too: copying a table would cascade to the rows that refer to it.
    for column in _activity():
        op.add_column("sign_in_sessions", column)
    op.add_column("sign_in_sessions", sa.Column("sso_session_id", sa.String(length=28), nullable=True))
    op.add_column("hosted_sessions", sa.Column("client_id", sa.String(length=128), nullable=True))
    for column in _activity():
        op.add_column("hosted_sessions", column)
    op.create_index(op.f("ix_hosted_sessions_pool_id_sub"), "hosted_sessions", ["pool_id", "sub"])
    op.add_column("authorization_codes", sa.Column("sso_session_id", sa.String(length=28), nullable=True))


def downgrade() -> None:
    op.drop_column("authorization_codes", "sso_session_id")
    op.drop_index(op.f("ix_hosted_sessions_pool_id_sub"), table_name="hosted_sessions")
    for name in reversed(_ACTIVITY):
        op.drop_column("hosted_sessions", name)
    op.drop_column("hosted_sessions", "client_id")
    op.drop_column("sign_in_sessions", "sso_session_id")
    for name in reversed(_ACTIVITY):
        op.drop_column("sign_in_sessions", name)
