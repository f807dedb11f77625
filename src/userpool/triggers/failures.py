"""How a transport reports that a function did not give an answer; ``invoke`` turns these into
Cognito's errors. Nothing outside ``userpool.triggers`` sees them."""

from __future__ import annotations


class FunctionFailed(Exception):
    """The function ran and raised (Lambda's ``FunctionError: Unhandled``); ``message`` is its errorMessage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotInvoked(Exception):
    """The function gave no answer: ``reason`` is a Lambda-style error name (``TimeoutError``,
    ``ResourceNotFoundException``, ``ServiceException``); ``retry`` when another attempt may succeed."""

    def __init__(self, reason: str, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class UnrecognizableAnswer(Exception):
    """The function answered, but not with JSON (a webhook's body that does not parse, a Python handler's
    value that does not serialise); never retried, as the same function would answer the same."""
