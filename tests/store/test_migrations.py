"""The Alembic migrations build exactly the schema of tables.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.tables import metadata


def test_migrate__upgrade_head_matches_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_migrate__is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    # Independent revisions branch off the same parent; every head is applied, once.
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert sorted(versions) == sorted(heads)
