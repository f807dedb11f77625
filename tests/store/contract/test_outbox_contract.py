"""The outbox on SQLite and PostgreSQL: messages claimed by one sender at a time, in due order, their text
sealed and forgotten once it is no longer needed."""

from __future__ import annotations

from dataclasses import replace

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, race
from userpool.crypto.sealing import Sealer
from userpool.model.records import NewMessage, OutboxEntry, OutboxMessage
from userpool.store.sql.store import SqlStore

EMAIL = NewMessage("us-east-1_pool", "EMAIL", "zoë@example.com", "Ihr Code ✓", "Code: 123456 — 確認", "a@b.c", "r@b.c")
SMS = NewMessage(None, "SMS", "+15550100", None, "Your code is 654321")


def _envelope(message: OutboxMessage) -> OutboxEntry:
    return OutboxEntry(
        message.id,
        message.pool_id,
        message.channel,
        message.destination,
        message.status,
        message.attempts,
        message.last_error,
        message.created_at,
        message.next_attempt_at,
        message.sent_at,
    )


@covers("OutboxRepo.add", "OutboxRepo.claim_due", "OutboxRepo.recent", "OutboxRepo.recent_texts")
def test_outbox__claimed_in_due_order_with_their_text(store: SqlStore) -> None:
    with store.write() as tx:
        later = tx.outbox.add(SMS, NOW + 10)
        first = tx.outbox.add(EMAIL, NOW)
        second = tx.outbox.add(replace(SMS, destination="+15550101"), NOW)
    assert first > later and second > first  # ids only grow
    with store.write() as tx:
        claimed = tx.outbox.claim_due(NOW + 5, 10, lease_seconds=30)
    assert [m.id for m in claimed] == [first, second]  # due first, then by id; not yet due is left
    email = claimed[0]
    assert (email.subject, email.body, email.mail_from, email.reply_to) == (
        EMAIL.subject,
        EMAIL.body,
        EMAIL.mail_from,
        EMAIL.reply_to,
    )
    assert (email.status, email.attempts, email.next_attempt_at, email.sent_at) == ("sending", 1, NOW + 35, None)
    assert (claimed[1].subject, claimed[1].pool_id, claimed[1].mail_from) == (None, None, None)
    with store.read() as tx:
        recent = tx.outbox.recent(10)
        texts = tx.outbox.recent_texts(2)
    assert [e.id for e in recent] == [second, first, later]  # newest first
    assert recent[1] == _envelope(email)
    assert not hasattr(recent[0], "body")
    assert [m.id for m in texts] == [second, first]
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT content_sealed FROM outbox_messages").scalars().all()
    assert not any("123456" in value or "654321" in value for value in sealed)


@covers("OutboxRepo.claim_due")
def test_outbox__a_claim_holds_for_its_lease_and_one_sender_gets_each_message(store: SqlStore) -> None:
    with store.write() as tx:
        ids = [tx.outbox.add(replace(SMS, destination=f"+1555010{i}"), NOW) for i in range(5)]
    claims = race(store, lambda tx: [m.id for m in tx.outbox.claim_due(NOW, 10, 30)])
    taken = [message_id for claim in claims for message_id in claim]
    assert sorted(taken) == ids  # each message to exactly one of the racing senders
    with store.write() as tx:
        assert tx.outbox.claim_due(NOW + 29, 10, 30) == []
        # A sender that died mid-send: its messages are due again once the lease is over.
        again = tx.outbox.claim_due(NOW + 30, 2, 30)
    assert [m.id for m in again] == ids[:2] and [m.attempts for m in again] == [2, 2]


@covers("OutboxRepo.claim_due")
def test_outbox__text_no_secret_opens_is_given_up(store: SqlStore) -> None:
    stranger = SqlStore(store.engine, Sealer(("a-secret-this-server-does-not-have",)))
    with stranger.write() as tx:
        lost = tx.outbox.add(EMAIL, NOW)
    with store.write() as tx:
        assert tx.outbox.claim_due(NOW, 10, 30) == []
    with store.read() as tx:
        (entry,) = tx.outbox.recent(1)
        assert tx.outbox.recent_texts(10) == []
    assert (entry.id, entry.status) == (lost, "failed")
    assert entry.last_error is not None and "secret" in entry.last_error


@covers("OutboxRepo.mark_sent", "OutboxRepo.mark_failed", "OutboxRepo.purge")
def test_outbox__text_forgotten_once_delivered_given_up_or_purged(store: SqlStore) -> None:
    with store.write() as tx:
        sent, kept, retried, failed, pending = (tx.outbox.add(EMAIL, NOW + i) for i in range(5))
        tx.outbox.claim_due(NOW + 10, 10, 30)
        tx.outbox.mark_sent(sent, NOW + 11)
        tx.outbox.mark_sent(kept, NOW + 11, keep_text=True)
        tx.outbox.mark_failed(retried, "timeout " + "x" * 3000, NOW + 100)
        tx.outbox.mark_failed(failed, "550 no such user", None)
    with store.write() as tx:
        tx.outbox.add(SMS, NOW + 50)
    with store.read() as tx:
        states = {e.id: e for e in tx.outbox.recent(10)}
        texts = {m.id for m in tx.outbox.recent_texts(10)}
    assert (states[sent].status, states[sent].sent_at, states[sent].last_error) == ("sent", NOW + 11, None)
    assert states[kept].status == "sent"
    assert (states[retried].status, states[retried].next_attempt_at) == ("pending", NOW + 100)
    assert states[retried].last_error is not None and len(states[retried].last_error) == 2000
    assert (states[failed].status, states[failed].last_error) == ("failed", "550 no such user")
    assert texts == {kept, retried, pending, max(states)}
    with store.write() as tx:
        tx.outbox.purge(texts_sent_before=NOW + 11, rows_created_before=NOW)
    with store.read() as tx:
        assert kept in {m.id for m in tx.outbox.recent_texts(10)}  # sent at the limit: kept
    with store.write() as tx:
        tx.outbox.purge(texts_sent_before=NOW + 12, rows_created_before=NOW + 3)
    with store.read() as tx:
        remaining = {e.id for e in tx.outbox.recent(10)}
        texts = {m.id for m in tx.outbox.recent_texts(10)}
    # Delivered and failed rows queued before the limit go; pending ones stay whatever their age.
    assert remaining == {retried, failed, pending, max(states)}
    assert texts == {retried, pending, max(states)}


@covers("OutboxRepo.queued")
def test_outbox__queued_counts_the_messages_waiting_by_channel(store: SqlStore) -> None:
    with store.read() as tx:
        assert tx.outbox.queued() == {}
    with store.write() as tx:
        # The fourth is left claimed ("sending", as by a sender that died mid-send), the fifth never claimed.
        sent, failed, retried, _, _ = (tx.outbox.add(EMAIL, NOW + i) for i in range(5))
        tx.outbox.add(SMS, NOW + 100)  # not due yet: waiting all the same
        tx.outbox.claim_due(NOW + 3, 4, 30)
        tx.outbox.mark_sent(sent, NOW + 11)
        tx.outbox.mark_failed(failed, "550 no such user", None)
        tx.outbox.mark_failed(retried, "timeout", NOW + 100)
    with store.read() as tx:
        # Delivered and given-up messages wait no more; the retried, claimed and unclaimed ones do.
        assert tx.outbox.queued() == {"EMAIL": 3, "SMS": 1}
