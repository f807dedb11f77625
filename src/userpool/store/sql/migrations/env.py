"""Alembic environment: runs on the connection handed in by ``userpool.store.sql.migrate``."""

from __future__ import annotations

from alembic import context

from userpool.store.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite has almost no ALTER TABLE; batch mode copies and moves instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
