"""The outbox delivers after commit, retries failures with backoff, never sends a message twice, and keeps a
message's text sealed and only while it is needed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from userpool.clock import FixedClock
from userpool.crypto.sealing import Sealer
from userpool.delivery.dispatcher import (
    HISTORY_SECONDS,
    KEPT_TEXT_SECONDS,
    MAX_ATTEMPTS,
    PURGE_EVERY_SECONDS,
    OutboxDispatcher,
)
from userpool.delivery.senders import DeliveryError, LogSender
from userpool.model.records import NewMessage, OutboxMessage
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore


class FlakySender:
    """Fails the first ``failures`` sends, then records what it delivers."""

    keeps_text = False

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[OutboxMessage] = []
        self._lock = threading.Lock()

    def send(self, message: OutboxMessage) -> None:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                raise DeliveryError("connection refused")
            self.delivered.append(message)


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    migrate.upgrade(engine)
    return SqlStore(engine, Sealer(("k",)))


def _queue(store: SqlStore, clock: FixedClock, n: int = 1) -> None:
    with store.write() as tx:
        for i in range(n):
            tx.outbox.add(NewMessage("p", "EMAIL", f"u{i}@example.com", "Hi", f"body {i}"), clock.now())


def test_outbox__failed_delivery_is_retried_after_backoff(store: SqlStore) -> None:
    clock = FixedClock()
    sender = FlakySender(failures=1)
    dispatcher = OutboxDispatcher(store, sender, LogSender(), clock)
    _queue(store, clock)
    assert dispatcher.drain() == 0
    with store.read() as tx:
        [message] = tx.outbox.recent(1)
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    assert dispatcher.drain() == 0  # not due yet
    clock.advance(60)
    assert dispatcher.drain() == 1
    assert [m.destination for m in sender.delivered] == ["u0@example.com"]
    with store.read() as tx:
        assert tx.outbox.recent(1)[0].status == "sent"


def test_outbox__gives_up_after_max_attempts(store: SqlStore) -> None:
    clock = FixedClock()
    dispatcher = OutboxDispatcher(store, FlakySender(failures=10**6), LogSender(), clock)
    _queue(store, clock)
    for _ in range(MAX_ATTEMPTS + 2):
        dispatcher.drain()
        clock.advance(4000)
    with store.read() as tx:
        message = tx.outbox.recent(1)[0]
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS


def test_outbox__two_dispatchers_never_send_a_message_twice(store: SqlStore) -> None:
    clock = FixedClock()
    sender = FlakySender(failures=0)
    _queue(store, clock, n=40)
    dispatchers = [OutboxDispatcher(store, sender, LogSender(), clock) for _ in range(2)]
    threads = [threading.Thread(target=lambda d=d: d.drain(batch=3)) for d in dispatchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m.id for m in sender.delivered) == list(range(1, 41))


def _texts(store: SqlStore) -> list[str]:
    with store.read() as tx:
        return [m.body for m in tx.outbox.recent_texts(100)]


def test_outbox__a_delivered_message_loses_its_text(store: SqlStore) -> None:
    clock = FixedClock()
    dispatcher = OutboxDispatcher(store, FlakySender(failures=0), LogSender(), clock)
    _queue(store, clock)
    assert _texts(store) == ["body 0"]
    assert dispatcher.drain() == 1
    with store.read() as tx:
        [entry] = tx.outbox.recent(1)
    assert (entry.destination, entry.status) == ("u0@example.com", "sent")
    assert _texts(store) == []


def test_outbox__an_undeliverable_message_loses_its_text_after_its_retries(store: SqlStore) -> None:
    clock = FixedClock()
    dispatcher = OutboxDispatcher(store, FlakySender(failures=10**6), LogSender(), clock)
    _queue(store, clock)
    for _ in range(MAX_ATTEMPTS - 1):
        dispatcher.drain()
        clock.advance(4000)
    assert _texts(store) == ["body 0"]  # still retrying
    dispatcher.drain()
    assert _texts(store) == []


def test_outbox__the_log_sender_keeps_the_text_for_its_retention(store: SqlStore) -> None:
    clock = FixedClock()
    dispatcher = OutboxDispatcher(store, LogSender(), LogSender(), clock)
    _queue(store, clock)
    dispatcher.drain()
    clock.advance(KEPT_TEXT_SECONDS - 1)
    dispatcher.drain()
    assert _texts(store) == ["body 0"]
    clock.advance(PURGE_EVERY_SECONDS)  # the dispatcher purges once a minute
    dispatcher.drain()
    assert _texts(store) == []
    with store.read() as tx:
        assert [e.status for e in tx.outbox.recent(10)] == ["sent"]
    clock.advance(HISTORY_SECONDS)
    dispatcher.drain()
    with store.read() as tx:
        assert tx.outbox.recent(10) == []


def test_outbox__text_sealed_with_a_retired_secret_fails_instead_of_stalling(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rotated.sqlite3'}")
    migrate.upgrade(engine)
    clock = FixedClock()
    _queue(SqlStore(engine, Sealer(("old",))), clock)
    store = SqlStore(engine, Sealer(("new",)))
    sender = FlakySender(failures=0)
    assert OutboxDispatcher(store, sender, LogSender(), clock).drain() == 0
    with store.read() as tx:
        [entry] = tx.outbox.recent(1)
    assert entry.status == "failed" and entry.last_error and sender.delivered == []
