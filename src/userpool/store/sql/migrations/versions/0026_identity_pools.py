"""identity_pools, identities, identity_logins and identity_signing_keys: identity pools (cognito-identity)

Revision ID: 0026_identity_pools
Revises: 0025_user_import_jobs
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_identity_pools"
down_revision = "0025_user_import_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_pools",
        sa.Column("id", sa.String(55), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identity_pools"),
    )
    op.create_table(
        "identities",
        sa.Column("id", sa.String(55), nullable=False),
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("updated_at", sa.Float(precision=53), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["identity_pools.id"], ondelete="CASCADE", name="fk_identities_pool_id_identity_pools"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
    )
    op.create_index("ix_identities_pool_id_id", "identities", ["pool_id", "id"])
    op.create_table(
        "identity_logins",
        sa.Column("pool_id", sa.String(55), nullable=False),
        sa.Column("login_key", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(128), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("identity_id", sa.String(55), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], ondelete="CASCADE", name="fk_identity_logins_identity_id_identities"
        ),
        sa.PrimaryKeyConstraint("pool_id", "login_key", name="pk_identity_logins"),
    )
    op.create_index(
        "ix_identity_logins_identity_id_provider_login_key", "identity_logins", ["identity_id", "provider", "login_key"]
    )
    op.create_table(
        "identity_signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("private_sealed", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("retired_at", sa.Float(precision=53), nullable=True),
        sa.Column("expires_at", sa.Float(precision=53), nullable=True),
        sa.PrimaryKeyConstraint("kid", name="pk_identity_signing_keys"),
        sa.UniqueConstraint("generation", name="uq_identity_signing_keys_generation"),
    )


def downgrade() -> None:
    op.drop_table("identity_signing_keys")
    op.drop_index("ix_identity_logins_identity_id_provider_login_key", table_name="identity_logins")
    op.drop_table("identity_logins")
    op.drop_index("ix_identities_pool_id_id", table_name="identities")
    op.drop_table("identities")
    op.drop_table("identity_pools")
