"""identity providers: a pool's external identity providers and their IdpIdentifiers

Revision ID: 0014
Revises: 0013_federated_identities
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013_federated_identities"
branch_labels = None
depends_on = None

_TIME = sa.Float(precision=53)


def _text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length=length).with_variant(sa.String(length=length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("name", _text(64), nullable=False),
        sa.Column("provider_type", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("secrets_sealed", sa.Text(), nullable=True),
        sa.Column("attribute_mapping", sa.JSON(), nullable=False),
        sa.Column("idp_identifiers", sa.JSON(), nullable=False),
        sa.Column("acr_mapping", sa.JSON(), nullable=False),
        sa.Column("discovered", sa.JSON(), nullable=False),
        sa.Column("saml", sa.JSON(), nullable=True),
        sa.Column("encryption_certificate", sa.Text(), nullable=True),
        sa.Column("encryption_key_sealed", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"], ["pools.id"], name=op.f("fk_identity_providers_pool_id_pools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pool_id", "name", name=op.f("pk_identity_providers")),
    )
    op.create_table(
        "identity_provider_identifiers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("identifier", _text(64), nullable=False),
        sa.Column("provider_name", _text(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "provider_name"],
            ["identity_providers.pool_id", "identity_providers.name"],
            name="fk_identity_provider_identifiers_provider",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pool_id", "identifier", name=op.f("pk_identity_provider_identifiers")),
    )
    op.create_index(
        op.f("ix_identity_provider_identifiers_pool_id_provider_name"),
        "identity_provider_identifiers",
        ["pool_id", "provider_name"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_identity_provider_identifiers_pool_id_provider_name"), table_name="identity_provider_identifiers"
    )
    op.drop_table("identity_provider_identifiers")
    op.drop_table("identity_providers")
