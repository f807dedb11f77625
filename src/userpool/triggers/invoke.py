"""Invoking a pool's trigger function and reading its answer, with Cognito's errors (Cognito developer guide:
'Customizing user pool workflows with Lambda triggers').

``invoke(functions, pool, trigger, event)`` returns the ``response`` member of the event the function
gave back. Outcomes, as Cognito reports them to the API caller:

- the function raised: UserLambdaValidationException "<Trigger> failed with error <errorMessage>.";
- no answer (timed out after three attempts of ``trigger_timeout_seconds`` each, webhook unreachable or
  failing, or no target configured for the ARN): UnexpectedLambdaException
  "<Trigger> invocation failed due to error <reason>.";
- an answer that is not an event object: InvalidLambdaResponseException "Unrecognizable lambda output".

Never call it inside a database transaction: a function may take seconds, and may call this server back.
Events are never logged: they carry user attributes (and, for UserMigration, a password).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from userpool.errors import InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException
from userpool.model.records import Pool
from userpool.triggers.failures import FunctionFailed, NotInvoked, UnrecognizableAnswer
from userpool.triggers.lambda_config import Trigger, function_arn
from userpool.triggers.transport import TriggerFunctions

log = logging.getLogger("userpool.triggers")

# Cognito retries a function that timed out, and gives up after three attempts (the same page).
ATTEMPTS = 3
UNRECOGNIZABLE = "Unrecognizable lambda output"
INVALID_RESPONSE = "Invalid lambda response"


def _run(functions: TriggerFunctions, trigger: Trigger, arn: str, event: dict[str, Any]) -> Any:
    route = functions.route(arn)
    if route is None:
        log.warning("%s: no trigger target is configured for %s", trigger, arn)
        raise UnexpectedLambdaException(f"{trigger} invocation failed due to error ResourceNotFoundException.")
    body = orjson.dumps(event)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return route.transport.invoke(route.target, arn, body, functions.timeout)
        except FunctionFailed as failure:
            raise UserLambdaValidationException(f"{trigger} failed with error {failure.message}.") from None
        except UnrecognizableAnswer:
            raise InvalidLambdaResponseException(UNRECOGNIZABLE) from None
        except NotInvoked as failure:
            log.warning("%s: %s attempt %d failed: %s", trigger, arn, attempt, failure.reason)
            if not failure.retry or attempt == ATTEMPTS:
                raise UnexpectedLambdaException(f"{trigger} invocation failed due to error {failure.reason}.") from None
    raise AssertionError("unreachable")


def invoke(functions: TriggerFunctions, pool: Pool, trigger: Trigger, event: dict[str, Any]) -> dict[str, Any]:
    """Run ``pool``'s function for ``trigger`` with ``event`` through the transport ``functions`` route its
    ARN to; the ``response`` of the event it returns.

    The caller checks ``configured(pool, trigger)`` first; a trigger the pool does not configure is a
    programming error here.
    """
    arn = function_arn(pool, trigger)
    if arn is None:
        raise LookupError(f"pool {pool.id} has no {trigger} trigger")
    returned = _run(functions, trigger, arn, event)
    if not isinstance(returned, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    response = returned.get("response")
    if response is None:
        return {}
    if not isinstance(response, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return response
