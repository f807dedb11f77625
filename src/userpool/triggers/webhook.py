"""Runs a trigger behind an HTTP(S) webhook: the event is POSTed as JSON, the event comes back. The
transport ``app.py`` gives every ``http(s)://`` target; no other part of the server may import this module
(an import-linter contract), so httpx stays out of everything services reach.

Request headers (README "Triggers"):
  ``Content-Type: application/json``;
  ``X-Userpool-Function-Arn``: the ARN from the pool's LambdaConfig, so that one URL can serve several;
  ``X-Userpool-Signature: sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the target's secret
  (or the server's ``trigger_secret``); absent when neither is set.
A 2xx answer carries the returned event. Any other status with a JSON body ``{"errorMessage": ...}`` (the
shape of a Lambda function error) means the function raised; anything else is a failed invocation.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import orjson

from userpool.config import TriggerTarget
from userpool.triggers.failures import FunctionFailed, NotInvoked, UnrecognizableAnswer

SIGNATURE_HEADER = "X-Userpool-Signature"
FUNCTION_HEADER = "X-Userpool-Function-Arn"


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _function_error(response: httpx.Response) -> str | None:
    try:
        data = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    message = data.get("errorMessage") if isinstance(data, dict) else None
    return str(message) if message is not None else None


def call(url: str, body: bytes, arn: str, secret: str, timeout: float) -> bytes:
    """The body of the webhook's answer; FunctionFailed or NotInvoked as the module docstring says."""
    headers = {"Content-Type": "application/json", FUNCTION_HEADER: arn}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
    except httpx.TimeoutException:
        raise NotInvoked("TimeoutError", retry=True) from None
    except httpx.TransportError:
        raise NotInvoked("ServiceException", retry=True) from None
    if 200 <= response.status_code < 300:
        return response.content
    message = _function_error(response)
    if message is not None:
        raise FunctionFailed(message)
    raise NotInvoked("ServiceException", retry=False)


class WebhookTransport:
    """The TriggerTransport for ``http(s)://`` targets; ``default_secret`` (the server's ``trigger_secret``)
    signs for a target without a secret of its own."""

    def __init__(self, default_secret: str) -> None:
        self.default_secret = default_secret

    def invoke(self, target: TriggerTarget, arn: str, event: bytes, timeout: float) -> Any:
        answer = call(target.target, event, arn, target.secret or self.default_secret, timeout)
        try:
            return orjson.loads(answer)
        except orjson.JSONDecodeError:
            raise UnrecognizableAnswer from None
