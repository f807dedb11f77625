"""The port through which services call identity providers' endpoints (``ctx.outbound``).

One request, one answer: no redirects followed, no cookies kept, bounded time and size. The adapter
(``httpx_client.py``, chosen by ``app.py``) refuses a URL the identity-provider URL policy
(``model/idp_urls.py``) refuses before connecting. What went wrong on the way is an ``OutboundError``;
an answer with any status is an ``OutboundResponse`` for the caller to judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    """An answer: its status, its headers (names lower-cased, the last of repeated ones) and its body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """The header ``name`` (any case), or "" when absent."""
        return self.headers.get(name.lower(), "")


class Failure(StrEnum):
    """Why no answer came back."""

    # The URL is not one the server may call (model/idp_urls.py); nothing was sent.
    REFUSED_URL = "refused_url"
    # Connecting, sending or reading took longer than allowed.
    TIMEOUT = "timeout"
    # The connection could not be made, or was broken or spoke something other than HTTP.
    CONNECTION = "connection"
    # The answer was larger than allowed.
    TOO_LARGE = "too_large"


class OutboundError(Exception):
    """A call that gave no answer. ``description`` is short, names no URL or secret, and uses AWS's words
    where AWS has them ("Read timed out", "Connection reset")."""

    def __init__(self, failure: Failure, description: str) -> None:
        super().__init__(description)
        self.failure = failure
        self.description = description


class OutboundHttp(Protocol):
    """Server-side HTTP calls to identity providers."""

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        """GET ``url`` with ``headers``; raises OutboundError when no answer came back."""
        ...

    def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> OutboundResponse:
        """POST ``form`` as application/x-www-form-urlencoded to ``url``; raises OutboundError when no
        answer came back."""
        ...
