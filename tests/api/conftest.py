"""Fixtures of the API tests that need a mail server, an SMS gateway or a clock the test moves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, make_settings, running_server
from tests.support.mail import Inbox, smtp_inbox
from tests.support.sms import SmsGateway, sms_gateway
from userpool.clock import FixedClock


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a loopback port, and what it received."""
    with smtp_inbox() as found:
        yield found


@pytest.fixture
def mail(inbox: tuple[Inbox, int]) -> Inbox:
    return inbox[0]


@pytest.fixture
def clock() -> FixedClock:
    # Real time to start with: signed admin calls are checked against this clock.
    return FixedClock(time.time())


@pytest.fixture
def server(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], clock: FixedClock) -> Iterator[Server]:
    """A server that mails through the ``inbox`` SMTP server and keeps time by ``clock``."""
    settings = make_settings(tmp_path / "data", database_url, smtp_url=f"smtp://127.0.0.1:{inbox[1]}")
    with running_server(settings, clock) as found:
        yield found


@pytest.fixture
def clocked(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[Server]:
    """A server whose time moves only with ``clock``, far beyond the SigV4 skew (hence dev mode)."""
    with running_server(make_settings(tmp_path / "data", database_url, dev=True), clock) as found:
        yield found


@dataclass
class Env:
    """A dev-mode server on ``clock`` that mails to ``mail`` and texts to ``sms``, and its boto3 client."""

    server: Server
    idp: Any
    clock: FixedClock
    mail: Inbox
    sms: SmsGateway


@pytest.fixture
def env(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], clock: FixedClock) -> Iterator[Env]:
    # Dev mode: the clock the tests move is not the one boto3 signs with.
    with sms_gateway() as sms:
        settings = make_settings(
            tmp_path / "data",
            database_url,
            dev=True,
            smtp_url=f"smtp://127.0.0.1:{inbox[1]}",
            sms_webhook_url=sms.url,
        )
        with running_server(settings, clock) as server:
            yield Env(server, server.client(), clock, inbox[0], sms)
