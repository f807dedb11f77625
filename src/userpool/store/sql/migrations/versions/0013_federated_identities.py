"""federated_identities: the external identities that sign users in; users.password_sign_in_disabled

Revision ID: 0013_federated_identities
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_federated_identities"
down_revision = "0012"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: copying the users table would cascade to every row that refers to it.
    op.add_column(
        "users",
        sa.Column("password_sign_in_disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "federated_identities",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("provider_name", _text(32), nullable=False),
        sa.Column("attribute_name", _text(64), nullable=False),
        sa.Column("attribute_value", _text(512), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("provider_type", sa.String(length=32), nullable=False),
        sa.Column("issuer", sa.String(length=2048), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_federated_identities_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "pool_id", "provider_name", "attribute_name", "attribute_value", name=op.f("pk_federated_identities")
        ),
    )
    op.create_index(
        op.f("ix_federated_identities_pool_id_sub"), "federated_identities", ["pool_id", "sub"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_federated_identities_pool_id_sub"), table_name="federated_identities")
    op.drop_table("federated_identities")
    op.drop_column("users", "password_sign_in_disabled")
