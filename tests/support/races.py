"""Requests released at once from many threads, each with its own boto3 client (and so its own connections),
for the races the scale-out tests provoke; every answer is kept, 500s included, for the test to judge."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from tests.support.processes import admin

RACERS = 24


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
    """
    clients = [admin(url) for _ in calls]
    start = threading.Barrier(len(calls))

    def attempt(index: int) -> Answer:
        start.wait(timeout=60)
        try:
            response = calls[index](clients[index])
        except ClientError as exc:
            error, metadata = exc.response["Error"], exc.response["ResponseMetadata"]
            return Answer(error["Code"], metadata["HTTPStatusCode"], error.get("Message", ""))
        response = dict(response or {})
        return Answer("ok", response.get("ResponseMetadata", {}).get("HTTPStatusCode", 200), response=response)

    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(attempt, range(len(calls))))
    finally:
        for client in clients:
            client.close()


def race(url: str, call: Callable[[Any], Any], racers: int = RACERS) -> Counter[tuple[str, int]]:
    """``call(client)`` from ``racers`` threads at once: how many times each (code, status) came back."""
    return Counter(answer.outcome for answer in race_each(url, [call] * racers))
