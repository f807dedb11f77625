"""config_generation: the number every configuration write changes, bumped by triggers on the configuration
tables, so that workers and instances may keep configuration until it changes (store/sql/config_generation.py)

Revision ID: 0027_config_generation
Revises: 0026_identity_pools
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from userpool.store.sql.config_generation import EVENTS, POSTGRES_FUNCTION, trigger_statements

revision = "0027_config_generation"
down_revision = "0026_identity_pools"
branch_labels = None
depends_on = None

# The configuration tables at this revision (config_generation.CONFIGURATION_TABLES may grow later; a revision
# that adds one gives it its triggers).
TABLES = (
    "admin_keys",
    "clients",
    "domains",
    "identity_pools",
    "identity_provider_identifiers",
    "identity_providers",
    "identity_signing_keys",
    "pools",
    "resource_servers",
    "risk_configurations",
    "saml_signing_keys",
    "signing_keys",
    "ui_customizations",
)


def upgrade() -> None:
    op.create_table(
        "config_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_config_generation"),
    )
    dialect = op.get_bind().dialect.name
    now = (
        "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
        if dialect == "sqlite"
        else "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
    )
    op.execute(f"INSERT INTO config_generation (id, generation) VALUES (1, {now})")  # noqa: S608 (no input)
    if dialect != "sqlite":
        op.execute(POSTGRES_FUNCTION)
    for table in TABLES:
        for statement in trigger_statements(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "sqlite":
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS config_generation_{table}_{event.lower()}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS config_generation_bump ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS config_generation_truncate ON {table}")
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS config_generation_bump()")
    op.drop_table("config_generation")
