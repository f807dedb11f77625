"""PreAuthentication and PostAuthentication: the triggers around a sign-in.

Cognito developer guide: 'Pre authentication Lambda trigger', 'Post authentication Lambda trigger'. PreAuthentication
(``PreAuthentication_Authentication``) runs before the password is checked, in every flow that checks one; a function
that raises refuses the sign-in. Its ``validationData`` is the InitiateAuth / AdminInitiateAuth ClientMetadata (the API
reference: "This payload contains a validationData attribute, which provides the data that you assigned to the
ClientMetadata parameter"). ``userNotFound`` is sent where the client hides missing users (PreventUserExistenceErrors),
and then the function also hears of names no user has.

PostAuthentication (``PostAuthentication_Authentication``) follows the tokens; ``newDeviceUsed`` says the
sign-in began tracking a new device. Its ``clientMetadata`` is that of RespondToAuthChallenge (InitiateAuth
passes none to it). Its failure fails the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.model.records import Pool, User
from userpool.triggers.events import envelope, string_map, user_attributes
from userpool.triggers.invoke import invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions


def pre_authentication(
    functions: TriggerFunctions,
    pool: Pool,
    user: User | None,
    username: str,
    *,
    client_id: str,
    hides_users: bool,
    validation_data: Mapping[str, Any] | None,
) -> None:
    """Ask the pool's PreAuthentication function whether ``user`` may go on signing in; ``user`` None is a
    name no user has, asked about only when the client hides users (``userNotFound``)."""
    if not configured(pool, Trigger.PRE_AUTHENTICATION) or (user is None and not hides_users):
        return
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user) if user is not None else {},
        "validationData": string_map(validation_data),
    }
    if hides_users:
        request["userNotFound"] = user is None
    name = user.username if user is not None else username
    event = envelope(pool, Source.PRE_AUTHENTICATION, name, client_id, request)
    invoke(functions, pool, Trigger.PRE_AUTHENTICATION, event)


def post_authentication(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    *,
    client_id: str,
    new_device_used: bool,
    client_metadata: Mapping[str, Any] | None,
) -> None:
    """Tell the pool's PostAuthentication function that ``user`` signed in; raises what the function's
    failure maps to."""
    if not configured(pool, Trigger.POST_AUTHENTICATION):
        return
    request = {
        "userAttributes": user_attributes(user),
        "newDeviceUsed": new_device_used,
        "clientMetadata": string_map(client_metadata),
    }
    event = envelope(pool, Source.POST_AUTHENTICATION, user.username, client_id, request)
    invoke(functions, pool, Trigger.POST_AUTHENTICATION, event)
