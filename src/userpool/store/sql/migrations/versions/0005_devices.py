"""devices: each user's tracked devices and their sealed SRP verifiers (docs/srp.md, Devices)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_key", sa.String(length=55), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("sub", sa.String(length=36), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=True),
        sa.Column("srp_salt", sa.String(length=64), nullable=True),
        sa.Column("srp_verifier_sealed", sa.Text(), nullable=True),
        sa.Column("remembered", sa.Boolean(), nullable=True),
        sa.Column("last_ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("confirmed_at", _TIME, nullable=True),
        sa.Column("authenticated_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["pool_id", "sub"], ["users.pool_id", "users.sub"], name="fk_devices_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_key", name=op.f("pk_devices")),
    )
    op.create_index(op.f("ix_devices_pool_id_sub_device_key"), "devices", ["pool_id", "sub", "device_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_devices_pool_id_sub_device_key"), table_name="devices")
    op.drop_table("devices")
