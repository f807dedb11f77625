"""config_generation on SQLite: a deleted row is put back at once, one past its last value

SQLite's clock reads milliseconds, and several configuration writes within one millisecond step the
generation past the clock; a row deleted and made again within that millisecond could take a value a
process had already read, and that process would keep configuration that had changed. The deleted row's
own value is known only to a trigger on the delete itself. (PostgreSQL's clock reads microseconds, and its
triggers are unchanged.)

Revision ID: 0028_config_generation_kept
Revises: 0027_config_generation
Create Date: 2026-12-21
"""

from __future__ import annotations

from alembic import op

revision = "0028_config_generation_kept"
down_revision = "0027_config_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TRIGGER config_generation_kept AFTER DELETE ON config_generation WHEN old.id = 1 BEGIN "
        "INSERT INTO config_generation (id, generation) "
        "VALUES (1, max(old.generation + 1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS config_generation_kept")
