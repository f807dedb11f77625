"""How log lines are written (``log.format``; README "Monitoring"): ``text``, one line of words, or ``json``,
one JSON object per line with ``time`` (RFC 3339, UTC), ``level``, ``logger``, ``message``, ``request_id`` when
the line belongs to an API call, and ``exception`` with a traceback.

The format changes the form only: what is logged stays what the code logs, which never includes a password,
code, token, secret or signature (docs/architecture.md, Security invariants). ``request_id`` is the call's
``x-amzn-RequestId``, set by the API endpoint for everything logged while it answers (the worker thread
running the service sees it too: anyio copies the context into it).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from userpool.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON = "json"

# The x-amzn-RequestId of the API call being answered; "" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("userpool_request_id", default="")


def _time(created: float) -> str:
    return datetime.datetime.fromtimestamp(created, datetime.UTC).isoformat(timespec="milliseconds")


def json_line(created: float, level: str, logger: str, message: str, **more: Any) -> str:
    """One JSON object on one line (newlines in values are escaped)."""
    entry: dict[str, Any] = {"time": _time(created), "level": level, "logger": logger, "message": message}
    entry.update(more)
    return json.dumps(entry, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        more: dict[str, Any] = {}
        request_id = REQUEST_ID.get()
        if request_id:
            more["request_id"] = request_id
        if record.exc_info:
            more["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            more["stack"] = self.formatStack(record.stack_info)
        return json_line(record.created, record.levelname, record.name, record.getMessage(), **more)


def configure_logging(settings: Settings) -> None:
    """The root logger at ``log_level``, writing to stderr in ``log.format``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log.format == JSON else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])


def uvicorn_log_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging options: in JSON, none of its own handlers, so that its lines reach the root's."""
    return {"log_config": None} if settings.log.format == JSON else {}


def printed_lines(settings: Settings, lines: Iterable[str], logger: str = "userpool") -> list[str]:
    """What ``serve`` prints at start, as it is (text) or as JSON objects like the log's, one per line that
    says something."""
    if settings.log.format != JSON:
        return list(lines)
    now = datetime.datetime.now(datetime.UTC).timestamp()
    return [json_line(now, "INFO", logger, line.strip()) for line in lines if line.strip()]
