"""Requests released at once from many threads, each on a connection of its own, for the races the scale-out
tests provoke; every answer is kept, 500s included, for the test to judge."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from botocore.exceptions import ClientError

from tests.support.mail import Inbox
from tests.support.processes import admin

RACERS = 24


@dataclass(frozen=True)
class Racing:
    """A two-worker server, the database it serves from, and the inbox its mail goes to."""

    url: str
    database_url: str
    inbox: Inbox

    def scalar(self, sql: str, **params: Any) -> Any:
        """One value read from the database directly, beside the server."""
        engine = sa.create_engine(self.database_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql), params).scalar_one()
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Answer:
    """One racer's answer: "ok" and the response, or the error's code and message; with the HTTP status."""

    code: str
    status: int
    message: str = ""
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> tuple[str, int]:
        return self.code, self.status


def race_each(url: str, calls: Sequence[Callable[[Any], Any]]) -> list[Answer]:
    """``calls[i](client)`` in thread i, all released together by a barrier; the answers in the calls' order.

    A call may make several requests; the first Cognito error ends it and is its answer. Anything else
    raised (a failed assertion, a dropped connection) is raised here.

    The threads share one boto3 client (thread-safe, as boto3 documents), whose pool of fresh connections
    gives each request in flight a connection of its own: a client per thread took about 20 ms of CPU each
    to make, before every race.
    """
    client = admin(url)
    start = threading.Barrier(len(calls))

    def attempt(index: int) -> Answer:
        start.wait(timeout=60)
        try:
            response = calls[index](client)
        except ClientError as exc:
            error, metadata = exc.response["Error"], exc.response["ResponseMetadata"]
            return Answer(error["Code"], metadata["HTTPStatusCode"], error.get("Message", ""))
        response = dict(response or {})
        return Answer("ok", response.get("ResponseMetadata", {}).get("HTTPStatusCode", 200), response=response)

    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(attempt, range(len(calls))))
    finally:
        client.close()


def race(url: str, call: Callable[[Any], Any], racers: int = RACERS) -> Counter[tuple[str, int]]:
    """``call(client)`` from ``racers`` threads at once: how many times each (code, status) came back."""
    return Counter(answer.outcome for answer in race_each(url, [call] * racers))
