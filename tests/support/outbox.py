"""Waiting for the outbox: a message is marked sent only after its sender returns, which may be after the
mail server or gateway has it, and the server's own dispatcher thread may be the one sending it."""

from __future__ import annotations

import time

from userpool.app import Runtime
from userpool.model.records import OutboxEntry


def sent(runtime: Runtime, count: int) -> list[OutboxEntry]:
    """The ``count`` newest messages once all of them are marked sent (10 s at most), newest first."""
    deadline = time.monotonic() + 10
    while True:
        runtime.dispatcher.drain()
        with runtime.store.read() as tx:
            entries = tx.outbox.recent(count)
        if (len(entries) == count and all(e.status == "sent" for e in entries)) or time.monotonic() > deadline:
            assert [e.status for e in entries] == ["sent"] * count, entries
            return entries
        time.sleep(0.05)
