"""The port a trigger function is reached through, and the table of configured functions behind it.

A transport runs one attempt of a function: in process (``python_target.PythonTransport``) or over HTTP
(``webhook.WebhookTransport``). Which one reaches each configured target is decided once, by ``app.py``,
when it builds ``TriggerFunctions`` into the process's ``Deps``; ``invoke`` and the services above it only
look an ARN up here and never learn which transport answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from userpool.config import TriggerTarget
from userpool.triggers.targets import find_target


class TriggerTransport(Protocol):
    def invoke(self, target: TriggerTarget, arn: str, event: bytes, timeout: float) -> Any:
        """One attempt at running ``target`` as the function ``arn``, with the event's JSON bytes, within
        ``timeout`` seconds: the JSON value the function returned.

        Raises the ``failures`` a function's outcome maps to: FunctionFailed when it raised, NotInvoked when
        it gave no answer, UnrecognizableAnswer when its answer is not JSON.
        """
        ...


@dataclass(frozen=True, slots=True)
class Route:
    """A configured target and the transport that reaches it."""

    target: TriggerTarget
    transport: TriggerTransport


@dataclass(frozen=True, slots=True)
class TriggerFunctions:
    """Every configured trigger target, in the settings' order, with its transport; and how long one
    attempt may take."""

    transports: Mapping[TriggerTarget, TriggerTransport]
    timeout: float

    def route(self, arn: str) -> Route | None:
        """Where ``arn`` runs (an exact ARN wins over its function name), or None when nowhere."""
        target = find_target(self.transports, arn)
        return Route(target, self.transports[target]) if target is not None else None
