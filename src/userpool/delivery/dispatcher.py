"""Delivers the outbox after commit, in a background thread, with retries and backoff (docs/architecture.md, Storage).

Any instance may deliver any message: rows are claimed with a conditional update, so two instances
sharing PostgreSQL never send the same message twice.

A message's text (codes, temporary passwords) rests sealed and is forgotten as soon as it is not needed:
once a sender has delivered it, or once delivery is given up after ``MAX_ATTEMPTS``. The log sender
delivers nowhere, so its messages keep their text for ``KEPT_TEXT_SECONDS``, to be read with
``userpool outbox``. What is left of a delivered or failed message (recipient, channel, status, times) is
listed for ``HISTORY_SECONDS``, then deleted.

Each failed attempt is also a message-delivery error of the pool's log delivery: where the pool's
LogConfigurations export ``userNotification`` logs, the error goes to that destination through the log
delivery port, after the failure is recorded (Cognito developer guide: 'Exporting email and SMS message
delivery errors').
"""

from __future__ import annotations

import logging
import threading

from userpool.clock import Clock
from userpool.delivery.logs.port import LogShipper, NoLogShipper
from userpool.delivery.senders import DeliveryError, Sender
from userpool.model import log_delivery, log_events
from userpool.model.records import OutboxMessage, Pool
from userpool.model.vocabulary import DeliveryMedium, LogEventSource
from userpool.store.base import Store

log = logging.getLogger("userpool.delivery")

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120.0
KEPT_TEXT_SECONDS = 3600.0
HISTORY_SECONDS = 7 * 86400.0
PURGE_EVERY_SECONDS = 60.0
# Woken by a request that has just queued a message, the thread lets that request's answer go out first:
# delivering at once would compete with it for this process (and SQLite's write lock), so that asking for
# a code would take measurably longer for a real user than for a name no user has, where the client hides
# which users exist (ForgotPassword, ResendConfirmationCode).
SETTLE_SECONDS = 0.05


def _backoff(attempts: int) -> float:
    return float(min(2 ** (attempts + 1), 3600))


class OutboxDispatcher:
    def __init__(
        self,
        store: Store,
        email: Sender,
        sms: Sender,
        clock: Clock,
        poll_seconds: float = 5.0,
        logs: LogShipper | None = None,
    ) -> None:
        self._store = store
        self._logs = logs or NoLogShipper()
        self._senders: dict[str, Sender] = {DeliveryMedium.EMAIL: email, DeliveryMedium.SMS: sms}
        self._clock = clock
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._purged_at: float | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="userpool-outbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain()
            except Exception:
                log.exception("outbox delivery round failed")
            if self._wake.wait(self._poll):
                self._stop.wait(SETTLE_SECONDS)
            self._wake.clear()

    def purge(self) -> None:
        """Forget the log sender's kept texts past their retention, and old delivered and failed messages."""
        now = self._clock.now()
        with self._store.write() as tx:
            tx.outbox.purge(now - KEPT_TEXT_SECONDS, now - HISTORY_SECONDS)
        self._purged_at = now

    def _purge_due(self, now: float) -> bool:
        # A clock that went backwards (a test's) counts as due.
        last = self._purged_at
        return last is None or not last <= now < last + PURGE_EVERY_SECONDS

    def drain(self, batch: int = 50) -> int:
        """Deliver every message that is due now; return how many were sent."""
        if self._purge_due(self._clock.now()):
            self.purge()
        sent = 0
        while True:
            with self._store.write() as tx:
                messages = tx.outbox.claim_due(self._clock.now(), batch, LEASE_SECONDS)
            if not messages:
                return sent
            sent += sum(self._deliver(message) for message in messages)

    def _deliver(self, message: OutboxMessage) -> bool:
        sender = self._senders.get(message.channel)
        try:
            if sender is None:
                raise DeliveryError(f"no sender for channel {message.channel}")
            sender.send(message)
        except DeliveryError as exc:
            retry = None if message.attempts >= MAX_ATTEMPTS else self._clock.now() + _backoff(message.attempts)
            log.warning("message %d not delivered (attempt %d): %s", message.id, message.attempts, exc)
            with self._store.write() as tx:
                tx.outbox.mark_failed(message.id, str(exc), retry)
                pool = tx.pools.get(message.pool_id) if message.pool_id else None
            if pool is not None:
                self._log_failure(pool, message, str(exc), retry is not None)
            return False
        with self._store.write() as tx:
            tx.outbox.mark_sent(message.id, self._clock.now(), keep_text=sender.keeps_text)
        return True

    def _log_failure(self, pool: Pool, message: OutboxMessage, error: str, retrying: bool) -> None:
        """Export the failed attempt as a userNotification ERROR event, where the pool exports those."""
        destination = log_delivery.destination_arn(pool, LogEventSource.userNotification)
        if destination is None:
            return
        details = log_events.delivery_error_details(message.channel, message.attempts, MAX_ATTEMPTS, retrying, error)
        self._logs.ship(destination, log_events.message_delivery_error(pool.id, self._clock.now(), details))
