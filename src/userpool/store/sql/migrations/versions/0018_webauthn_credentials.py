"""webauthn_credentials: each user's passkeys, unique per pool by credential id

Revision ID: 0018_webauthn_credentials
Revises: 0017_saml_sessions
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_webauthn_credentials"
down_revision = "0017_saml_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webauthn_credentials",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(1023), nullable=False),
        sa.Column("sub", sa.String(36), nullable=False),
        sa.Column("public_key", sa.LargeBinary(2048), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("relying_party_id", sa.String(255), nullable=False),
        sa.Column("friendly_name", sa.String(255), nullable=False),
        sa.Column("transports", sa.JSON(), nullable=False),
        sa.Column("authenticator_attachment", sa.String(32), nullable=True),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("last_used_at", sa.Float(precision=53), nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_webauthn_credentials_user"
        ),
        sa.PrimaryKeyConstraint("pool_id", "credential_id", name="pk_webauthn_credentials"),
    )
    op.create_index(
        "ix_webauthn_credentials_pool_id_sub_credential_id",
        "webauthn_credentials",
        ["pool_id", "sub", "credential_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_webauthn_credentials_pool_id_sub_credential_id", table_name="webauthn_credentials")
    op.drop_table("webauthn_credentials")
