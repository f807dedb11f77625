"""A real SMTP server for the tests (aiosmtpd on a loopback port) that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.bridge import free_port


@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage
    envelope_from: str = ""  # the SMTP MAIL FROM

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def code(self) -> str:
        """The 6-digit one-time code the message carries."""
        found = re.search(r"\b([0-9]{6})\b", self.text)
        assert found is not None, self.text
        return found.group(1)


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self._taken = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), parsed, str(envelope.mail_from)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, server: Any) -> list[Mail]:
        """The first ``count`` mails, delivering the outbox until they arrive (10 s at most)."""
        deadline = time.monotonic() + 10
        while len(self.mails) < count and time.monotonic() < deadline:
            server.runtime.dispatcher.drain()
            time.sleep(0.05)
        assert len(self.mails) >= count, f"expected {count} mails, got {len(self.mails)}"
        return self.mails[:count]

    def next(self, server: Any) -> Mail:
        """The oldest mail not yet taken by ``next``; ``server`` is a tests.conftest.Server."""
        self._taken += 1
        return self.wait_for(self._taken, server)[-1]


@contextmanager
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on a free loopback port; yields its inbox and port."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


class Refusing:
    """aiosmtpd handler of a mail server that refuses every recipient, as one does a mailbox it does not have."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"


@contextmanager
def refusing_smtp() -> Iterator[int]:
    """An SMTP server on a free loopback port that refuses every recipient; yields its port."""
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
