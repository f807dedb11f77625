"""Transactions on SQLite and PostgreSQL: a write transaction commits as a whole or not at all, whatever
ends it (an exception of the caller's or a refused write of the database's), and ``rolled_back`` undoes
its block's writes while the transaction goes on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_client, new_pool, new_user, rows_in
from userpool.model.records import NewMessage
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore

WRITTEN = ("pools", "clients", "users", "user_attributes", "outbox_messages")


class Boom(Exception):
    pass


def _counts(store: SqlStore) -> list[int]:
    return [rows_in(store, table) for table in WRITTEN]


@covers("Store.write", "Store.read")
def test_write__commits_on_exit_and_is_seen_by_later_reads(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        new_client(tx, pool)
        new_user(tx, pool, "ann", attributes={"name": "Ann"})
        tx.outbox.add(NewMessage(pool.id, "EMAIL", "a@x.org", "s", "b"), NOW)
    assert _counts(store) == [1, 1, 1, 2, 1]
    with store.read() as tx:
        assert tx.pools.get(pool.id) == pool


@covers("Store.write")
def test_write__an_exception_leaves_nothing_written(store: SqlStore) -> None:
    with pytest.raises(Boom), store.write() as tx:
        pool = new_pool(tx)
        new_client(tx, pool)
        new_user(tx, pool, "ann", attributes={"name": "Ann"})
        tx.outbox.add(NewMessage(pool.id, "EMAIL", "a@x.org", "s", "b"), NOW)
        raise Boom
    assert _counts(store) == [0, 0, 0, 0, 0]


@covers("Store.write")
def test_write__a_refused_write_leaves_nothing_written(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, "us-east-1_kept")
    # After the database refuses a write, PostgreSQL will run nothing more in that transaction; on both
    # databases the Conflict ends it, and what it wrote before is undone.
    with pytest.raises(Conflict), store.write() as tx:
        other = new_pool(tx, "us-east-1_lost")
        new_user(tx, other, "ann", attributes={"name": "Ann"})
        tx.outbox.add(NewMessage(other.id, "EMAIL", "a@x.org", "s", "b"), NOW)
        new_pool(tx, pool.id)
    assert _counts(store) == [1, 0, 0, 0, 0]
    with store.write() as tx:  # and the next transaction runs as usual
        new_user(tx, pool, "ann")
    assert rows_in(store, "users") == 1


@covers("Tx.rolled_back")
def test_rolled_back__undoes_its_block_and_the_transaction_goes_on(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        before = tx.outbox.add(NewMessage(pool.id, "SMS", "+15550100", None, "kept"), NOW)
        with tx.rolled_back():
            tx.outbox.add(NewMessage(pool.id, "SMS", "+15550100", None, "undone"), NOW)
            new_user(tx, pool, "ghost")
        with pytest.raises(Conflict), tx.rolled_back():
            new_user(tx, pool, "twin")
            new_user(tx, pool, "twin")  # refused inside the block: the transaction is still usable after it
        after = tx.outbox.add(NewMessage(pool.id, "SMS", "+15550100", None, "also kept"), NOW)
        new_user(tx, pool, "real")
    assert after > before
    with store.read() as tx:
        assert [m.body for m in tx.outbox.recent_texts(10)] == ["also kept", "kept"]
        assert tx.users.get_by_username(pool.id, "ghost") is None
        assert tx.users.get_by_username(pool.id, "twin") is None
        assert tx.users.get_by_username(pool.id, "real") is not None


@covers("Store.read", "Store.write")
def test_read__sees_only_what_was_committed(store: SqlStore) -> None:
    with store.write() as tx:
        kept = new_pool(tx, "us-east-1_kept")
    with store.write() as tx:
        open_pool = new_pool(tx, "us-east-1_open")
        tx.pools.delete(kept.id)
        with store.read() as other:  # another transaction, while this one is still open
            assert other.pools.get(open_pool.id) is None
            assert other.pools.get(kept.id) == kept
    with store.read() as tx:
        assert tx.pools.get(open_pool.id) == open_pool
        assert tx.pools.get(kept.id) is None


@covers("Store.read", "UserRepo.get_by_sub", "UserRepo.get_many")
def test_read__one_transaction_whichever_way_its_statements_run(store: SqlStore, backend: str) -> None:
    """The hot reads run on the driver's connection, the others through SQLAlchemy's over it (store/sql/driver.py):
    all in the one transaction. SQLite's reads see the database as its first read found it; each of PostgreSQL's
    (READ COMMITTED) what was committed before it began."""
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
    changed = replace(ann, attributes={**ann.attributes, "name": "changed"}, updated_at=NOW + 1)
    with store.read() as tx:
        first = tx.users.get_by_sub(pool.id, ann.sub)  # the driver's
        with store.write() as other:
            other.users.update(changed)
        by_sqlalchemy = tx.users.get_many(pool.id, [ann.sub])
        by_driver = tx.users.get_by_sub(pool.id, ann.sub)
    assert first == ann
    seen = ann if backend == "sqlite" else changed
    assert (by_sqlalchemy, by_driver) == ([seen], seen)


@covers("Store.read")
def test_read__an_exception_ends_it_and_leaves_the_connection_usable(store: SqlStore) -> None:
    # SQLite's store keeps a read's connection for the next one (SqlStore.give_back): never inside a transaction,
    # whose snapshot the next read would see instead of what was committed since.
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
    for _ in range(20):  # more transactions than the pool keeps connections
        with pytest.raises(Boom), store.read() as tx:
            tx.users.get_by_sub(pool.id, ann.sub)  # the driver's statements only
            raise Boom
        with pytest.raises(Boom), store.read() as tx:
            tx.users.get_by_sub(pool.id, ann.sub)
            tx.groups.list(pool.id, 10, None)  # and SQLAlchemy's over the same connection
            raise Boom
    with store.read() as tx:  # one that ends as usual: on SQLite its connection is kept for the next read
        assert tx.users.get_by_sub(pool.id, ann.sub) == ann
    changed = replace(ann, attributes={**ann.attributes, "name": "changed"}, updated_at=NOW + 1)
    with store.write() as tx:
        tx.users.update(changed)
    with store.read() as tx:  # no transaction was left open, on any connection: this one sees the change
        assert tx.users.get_by_sub(pool.id, ann.sub) == changed


@covers("Store.reads_wait")
def test_reads_wait__on_a_database_server_only(store: SqlStore, backend: str) -> None:
    # PostgreSQL's every statement is a round trip to its server; SQLite's reads (WAL) wait for no writer, and the
    # API answers its quick reads on the event loop then (api/endpoint.py).
    assert store.reads_wait == (backend == "postgresql")


@covers("Tx.after_commit")
def test_after_commit__runs_in_order_once_committed_and_unlocked(store: SqlStore) -> None:
    seen: list[tuple[str, int]] = []

    def count(name: str) -> None:
        # A transaction of its own: it sees what was committed, and may write (the lock is let go).
        with store.write() as tx:
            seen.append((name, rows_in(store, "pools")))
            tx.outbox.add(NewMessage(None, "EMAIL", "a@x.org", "s", name), NOW)

    with store.write() as tx:
        new_pool(tx)
        tx.after_commit(lambda: count("first"))
        tx.after_commit(lambda: count("second"))
        assert seen == []
    assert seen == [("first", 1), ("second", 1)]
    assert rows_in(store, "outbox_messages") == 2
    with store.read() as tx:
        tx.after_commit(lambda: seen.append(("read", 0)))
    assert seen[-1] == ("read", 0)


@covers("Tx.after_commit")
def test_after_commit__never_runs_after_a_rollback(store: SqlStore) -> None:
    ran: list[str] = []
    with pytest.raises(Boom), store.write() as tx:
        new_pool(tx)
        tx.after_commit(lambda: ran.append("exception"))
        raise Boom
    with store.write() as tx:
        kept = new_pool(tx, "us-east-1_kept")
    with pytest.raises(Conflict), store.write() as tx:
        tx.after_commit(lambda: ran.append("refused"))
        new_pool(tx, kept.id)
    assert ran == []


@covers("Tx.after_commit")
def test_after_commit__a_failing_action_leaves_the_writes_and_the_other_actions(store: SqlStore) -> None:
    ran: list[str] = []

    def fail() -> None:
        raise Boom

    with store.write() as tx:
        pool = new_pool(tx)
        tx.after_commit(fail)
        tx.after_commit(lambda: ran.append("after"))
    assert ran == ["after"]
    with store.read() as tx:
        assert tx.pools.get(pool.id) == pool


def _read_on_every_idle_connection(store: SqlStore, pool_id: str) -> None:
    """A read on each connection the pool holds (it hands them out in turn), so the next transaction gets one
    that last served a read: on PostgreSQL a read runs in autocommit mode, which a write must not inherit."""
    for _ in range(store.engine.pool.checkedin() + 1):  # type: ignore[attr-defined]
        with store.read() as tx:
            tx.pools.get(pool_id)


@covers("Store.read", "Store.write")
def test_write__after_reads_on_its_connection_still_all_or_nothing(store: SqlStore) -> None:
    with store.write() as tx:
        kept = new_pool(tx, "us-east-1_kept")
    _read_on_every_idle_connection(store, kept.id)
    with pytest.raises(Boom), store.write() as tx:
        lost = new_pool(tx, "us-east-1_lost")
        new_user(tx, lost, "ann", attributes={"name": "Ann"})
        raise Boom
    assert _counts(store) == [1, 0, 0, 0, 0]


@covers("Store.read", "Store.write")
def test_read__an_exception_leaves_its_connection_fit_for_a_write(store: SqlStore) -> None:
    with pytest.raises(Boom), store.read() as tx:
        assert tx.pools.get("us-east-1_none") is None
        raise Boom
    _read_on_every_idle_connection(store, "us-east-1_none")
    with pytest.raises(Boom), store.write() as tx:
        new_pool(tx, "us-east-1_lost")
        raise Boom
    assert _counts(store) == [0, 0, 0, 0, 0]
