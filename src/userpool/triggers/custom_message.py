"""CustomMessage: the function rewrites a code or invitation message before it is sent.

Cognito developer guide: 'Custom message Lambda trigger'. The event carries placeholders, never the code:
``codeParameter`` ``{####}`` (and ``usernameParameter`` ``{username}`` for AdminCreateUser invitations, null otherwise).
The function's ``smsMessage`` / ``emailMessage`` / ``emailSubject`` replace the pool's templates; the placeholders are
filled in after it returns. A message without the code placeholder (or, for an invitation, without the username
placeholder), or longer than Cognito allows, is InvalidLambdaResponseException. Null or empty members keep the pool's
template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.errors import InvalidLambdaResponseException
from userpool.model.messages import NO_OVERRIDE, MessageOverride
from userpool.model.records import Pool, User
from userpool.triggers.events import envelope, string_map, user_attributes
from userpool.triggers.invoke import INVALID_RESPONSE, invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.responses import optional_string
from userpool.triggers.sources import MessageEvent
from userpool.triggers.transport import TriggerFunctions

CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
# Cognito's limits on what the function may return (the same page).
_MAX_LENGTH = {"smsMessage": 140, "emailMessage": 20_000, "emailSubject": 140}


def _member(answer: dict[str, Any], name: str, placeholders: tuple[str, ...]) -> str | None:
    value = optional_string(answer, name)
    if value is None:
        return None
    if len(value) > _MAX_LENGTH[name] or not all(p in value for p in placeholders):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return value


def custom_message(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    event: MessageEvent,
    *,
    client_id: str | None,
    client_metadata: Mapping[str, Any] | None,
) -> MessageOverride:
    """The templates the pool's CustomMessage function chose for ``user``'s ``event`` message."""
    if not configured(pool, Trigger.CUSTOM_MESSAGE):
        return NO_OVERRIDE
    invitation = event is MessageEvent.ADMIN_CREATE_USER
    request = {
        "userAttributes": user_attributes(user),
        "codeParameter": CODE_PARAMETER,
        "usernameParameter": USERNAME_PARAMETER if invitation else None,
        "clientMetadata": string_map(client_metadata),
    }
    response = {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    source = f"{Trigger.CUSTOM_MESSAGE}_{event}"
    answer = invoke(
        functions, pool, Trigger.CUSTOM_MESSAGE, envelope(pool, source, user.username, client_id, request, response)
    )
    required = (CODE_PARAMETER, USERNAME_PARAMETER) if invitation else (CODE_PARAMETER,)
    return MessageOverride(
        sms_message=_member(answer, "smsMessage", required),
        email_message=_member(answer, "emailMessage", required),
        email_subject=_member(answer, "emailSubject", ()),
    )
