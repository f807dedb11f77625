"""The password-history repository on SQLite and PostgreSQL: newest first, trimmed to what the pool keeps,
emptied with keep 0, and gone with its user."""

from __future__ import annotations

from tests.conftest import Server
from tests.support.users import add_user

NOW = 1_700_000_000.0


def test_password_history__record_keeps_the_newest(app_server: Server, pool_id: str) -> None:
    store = app_server.runtime.store
    ann, bo = add_user(store, pool_id, "ann"), add_user(store, pool_id, "bo")
    with store.write() as tx:
        for n in range(1, 6):
            tx.password_history.record(pool_id, ann.sub, f"hash-{n}", NOW + n, keep=3)
        tx.password_history.record(pool_id, bo.sub, "bo-1", NOW, keep=3)
    with store.read() as tx:
        assert tx.password_history.recent(pool_id, ann.sub, 24) == ["hash-5", "hash-4", "hash-3"]
        assert tx.password_history.recent(pool_id, ann.sub, 2) == ["hash-5", "hash-4"]
        assert tx.password_history.recent(pool_id, ann.sub, 0) == []
        assert tx.password_history.recent(pool_id, bo.sub, 24) == ["bo-1"]
    with store.write() as tx:
        # A smaller size trims at the next password; no hash (a user who had no password) only trims.
        tx.password_history.record(pool_id, ann.sub, None, NOW + 6, keep=1)
        tx.password_history.record(pool_id, bo.sub, "bo-2", NOW + 6, keep=0)
    with store.read() as tx:
        assert tx.password_history.recent(pool_id, ann.sub, 24) == ["hash-5"]
        assert tx.password_history.recent(pool_id, bo.sub, 24) == []
    with store.write() as tx:
        tx.password_history.record(pool_id, ann.sub, "hash-7", NOW + 7, keep=2)
        tx.users.delete(pool_id, ann.sub)
    with store.read() as tx:
        assert tx.password_history.recent(pool_id, ann.sub, 24) == []
