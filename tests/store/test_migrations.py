"""The Alembic migrations build exactly the schema of tables.py, on SQLite and PostgreSQL, and carry the data
of earlier revisions forward."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from userpool.crypto.sealing import Sealer
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore
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


def _at_revision_0008(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        cfg = migrate.alembic_config(conn)
        if MigrationContext.configure(conn).get_current_heads():
            command.downgrade(cfg, "0008")
        command.upgrade(cfg, "0008")
        conn.commit()


def _legacy_messages(engine: sa.Engine) -> None:
    """Messages as revision 0008 kept them: subject and body in clear text."""
    with engine.begin() as conn:
        for status, body in (("pending", "Your code is 314159. "), ("sent", "Your code is 271828. ")):
            conn.execute(
                sa.text(
                    "INSERT INTO outbox_messages (pool_id, channel, destination, subject, body, status, attempts,"
                    " created_at, next_attempt_at) VALUES ('p', 'EMAIL', 'ann@example.com', 'Code', :body,"
                    " :status, 0, 1.0, 1.0)"
                ),
                {"body": body, "status": status},
            )


def test_migrate__0011_seals_waiting_messages_and_drops_the_text_of_sent_ones(database_url: str) -> None:
    engine = make_engine(database_url)
    _at_revision_0008(engine)
    _legacy_messages(engine)
    sealer = Sealer(("migration-secret",))
    migrate.upgrade(engine, sealer)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT status, content_sealed FROM outbox_messages ORDER BY id")).all()
    store = SqlStore(engine, sealer)
    with store.read() as tx:
        texts = [(m.status, m.subject, m.body) for m in tx.outbox.recent_texts(10)]
    store.dispose()
    assert [status for status, _ in stored] == ["pending", "sent"]
    assert "314159" not in str(stored[0][1]) and stored[1][1] is None
    assert texts == [("pending", "Code", "Your code is 314159. ")]


def test_migrate__0011_without_the_server_secrets_leaves_waiting_messages_alone(database_url: str) -> None:
    engine = make_engine(database_url)
    _at_revision_0008(engine)
    _legacy_messages(engine)
    with pytest.raises(RuntimeError, match="server secrets"):
        migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM outbox_messages WHERE body LIKE '%314159%'")).scalar() == 1
    migrate.upgrade(engine, Sealer(("migration-secret",)))
    engine.dispose()
