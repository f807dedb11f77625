"""Each step of a sign-in counted for the metrics by flow and result (``ctx.metrics.sign_in``; README
"Monitoring"): the result is ``tokens`` when the sign-in is complete, else the next challenge's name, or the
type of the error that refused it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from userpool.context import Ctx
from userpool.errors import CognitoError
from userpool.monitoring.port import OTHER, TOKENS
from userpool.services.sign_in.steps.outcome import Outcome

_T = TypeVar("_T")


def response_result(response: Mapping[str, Any]) -> str:
    """An InitiateAuth / RespondToAuthChallenge answer's result: tokens, or the challenge it asks for."""
    if "AuthenticationResult" in response:
        return TOKENS
    return str(response.get("ChallengeName") or OTHER)


def outcome_result(outcome: Outcome) -> str:
    """A hosted sign-in step's result: tokens once the user is signed in, or the next challenge."""
    if outcome.signed_in is not None or outcome.grant is not None:
        return TOKENS
    return str((outcome.challenge or {}).get("ChallengeName") or OTHER)


def counted(ctx: Ctx, flow: str, step: Callable[[], _T], result: Callable[[_T], str]) -> _T:
    """Run a sign-in ``step`` of ``flow`` and count its result (or the Cognito error it raised)."""
    try:
        answer = step()
    except CognitoError as err:
        ctx.metrics.sign_in(flow, err.code)
        raise
    ctx.metrics.sign_in(flow, result(answer))
    return answer
