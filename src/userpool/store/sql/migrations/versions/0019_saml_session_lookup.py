"""hosted_sessions: an index on (pool_id, saml_provider), to end the sessions a provider's LogoutRequest names

Revision ID: 0019_saml_session_lookup
Revises: 0018_webauthn_credentials
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0019_saml_session_lookup"
down_revision = "0018_webauthn_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_hosted_sessions_saml_provider", "hosted_sessions", ["pool_id", "saml_provider"])


def downgrade() -> None:
    op.drop_index("ix_hosted_sessions_saml_provider", table_name="hosted_sessions")
