"""federation_transactions: sign-ins waiting for an external identity provider's answer

Revision ID: 0015_federation_transactions
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_federation_transactions"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_transactions",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column(
            "provider_name",
            sa.String(length=32).with_variant(sa.String(length=32, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("response_type", sa.String(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("app_state", sa.Text(), nullable=True),
        sa.Column("app_nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=True),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier_sealed", sa.Text(), nullable=False),
        sa.Column("idp_redirect_uri", sa.Text(), nullable=False),
        sa.Column("binding_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.Column("expires_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_federation_transactions_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_federation_transactions")),
    )
    op.create_index(
        op.f("ix_federation_transactions_expires_at"), "federation_transactions", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_federation_transactions_expires_at"), table_name="federation_transactions")
    op.drop_table("federation_transactions")
