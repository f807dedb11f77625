"""Runs a trigger as an in-process Python callable ``package.module:function``, called as a Lambda
handler with ``(event, context)``: the transport ``app.py`` gives every target that is not a URL.

The handler runs in a thread of its own so that a slow one can be abandoned at the timeout, as Lambda
abandons a function; the thread is a daemon, so a handler that never returns cannot hold the server.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import orjson

from userpool.config import TriggerTarget
from userpool.triggers.failures import FunctionFailed, NotInvoked, UnrecognizableAnswer
from userpool.triggers.lambda_context import LambdaContext
from userpool.triggers.targets import function_name

log = logging.getLogger("userpool.triggers")

Handler = Callable[[Any, LambdaContext], Any]


def load(target: str) -> Handler:
    """The callable ``package.module:function`` names (``function`` may be dotted: ``Class.method``)."""
    module_name, _, attribute = target.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except Exception as exc:
        # A configuration mistake of the server: said in the log, shown to the caller as a missing function.
        log.error("trigger target %s cannot be loaded: %s: %s", target, type(exc).__name__, exc)
        raise NotInvoked("ResourceNotFoundException", retry=False) from None
    if not callable(found):
        log.error("trigger target %s is not callable", target)
        raise NotInvoked("ResourceNotFoundException", retry=False)
    handler: Handler = found
    return handler


def call(target: str, event: Any, context: LambdaContext, timeout: float) -> Any:
    """The handler's return value; FunctionFailed when it raised, NotInvoked when it ran out of time."""
    handler = load(target)
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, handler(event, context)))
        except BaseException as exc:  # a handler's SystemExit is its failure, not the server's
            outcome.append((False, exc))

    thread = threading.Thread(target=run, name=f"trigger-{context.function_name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise NotInvoked("TimeoutError", retry=True)
    succeeded, value = outcome[0]
    if not succeeded:
        # Lambda's errorMessage for a Python exception is str(exception).
        raise FunctionFailed(str(value))
    return value


class PythonTransport:
    """The TriggerTransport for ``package.module:function`` targets."""

    def invoke(self, target: TriggerTarget, arn: str, event: bytes, timeout: float) -> Any:
        context = LambdaContext(function_name(arn), arn, timeout)
        # Each attempt gets a fresh copy: a handler keeps nothing of ours, and what it returns must be JSON,
        # as it must be for Lambda to hand it back.
        returned = call(target.target, orjson.loads(event), context, timeout)
        try:
            return orjson.loads(orjson.dumps(returned))
        except TypeError:
            raise UnrecognizableAnswer from None
