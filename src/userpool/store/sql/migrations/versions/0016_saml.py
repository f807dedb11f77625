"""saml_signing_keys and saml_assertions: a pool's SAML signing keys, and the assertions it accepted

Revision ID: 0016_saml
Revises: 0015_federation_transactions
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_saml"
down_revision = "0015_federation_transactions"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length=length).with_variant(sa.String(length=length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "saml_signing_keys",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("private_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_saml_signing_keys_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "generation", name=op.f("pk_saml_signing_keys")),
    )
    op.create_table(
        "saml_assertions",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("issuer", _text(1024), nullable=False),
        sa.Column("assertion_id", _text(256), nullable=False),
        sa.Column("keep_until", sa.Float(precision=53), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_saml_assertions_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "issuer", "assertion_id", name=op.f("pk_saml_assertions")),
    )
    op.create_index(op.f("ix_saml_assertions_keep_until"), "saml_assertions", ["keep_until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_saml_assertions_keep_until"), table_name="saml_assertions")
    op.drop_table("saml_assertions")
    op.drop_table("saml_signing_keys")
