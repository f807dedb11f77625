"""CustomEmailSender / CustomSMSSender: a function delivers codes and invitations instead of the server.

Cognito developer guide: 'Custom sender Lambda triggers'. Invoked after the operation committed, asynchronously (Cognito
invokes senders with the Event invocation type): the answer is ignored and a failure never fails the API call; it is
logged. The event's ``request``: ``type`` ``customEmailSenderRequestV1`` / ``customSMSSenderRequestV1``, ``code``,
``userAttributes``, ``clientMetadata``.

``code`` is the plaintext code (or temporary password). Cognito sends it encrypted with the pool's KMS
key (AWS Encryption SDK ciphertext, base64); this server has no KMS, so a function written for AWS must
skip its decrypt step here (README "Triggers").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from userpool.errors import CognitoError
from userpool.model.records import Pool, User
from userpool.model.vocabulary import DeliveryMedium
from userpool.triggers.events import envelope, string_map, user_attributes
from userpool.triggers.invoke import invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.sources import MessageEvent
from userpool.triggers.transport import TriggerFunctions

log = logging.getLogger("userpool.triggers")


def sender_for(medium: str) -> Trigger:
    return Trigger.CUSTOM_EMAIL_SENDER if medium == DeliveryMedium.EMAIL else Trigger.CUSTOM_SMS_SENDER


def sends(pool: Pool, medium: str) -> bool:
    """True when the pool's function, not the outbox, delivers ``medium`` (EMAIL or SMS) messages."""
    return configured(pool, sender_for(medium))


def _send(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    medium: str,
    event: MessageEvent,
    code: str,
    client_id: str | None,
    client_metadata: Mapping[str, Any] | None,
) -> None:
    trigger = sender_for(medium)
    kind = "customEmailSenderRequestV1" if trigger is Trigger.CUSTOM_EMAIL_SENDER else "customSMSSenderRequestV1"
    request = {
        "type": kind,
        "code": code,
        "userAttributes": user_attributes(user),
        "clientMetadata": string_map(client_metadata),
    }
    source = f"{trigger}_{event}"
    try:
        invoke(functions, pool, trigger, envelope(pool, source, user.username, client_id, request))
    except CognitoError as failure:
        log.warning("%s for pool %s failed: %s: %s", source, pool.id, failure.code, failure.message)


def hand_over(
    functions: TriggerFunctions,
    pool: Pool,
    user: User,
    medium: str,
    event: MessageEvent,
    code: str,
    *,
    client_id: str | None,
    client_metadata: Mapping[str, Any] | None,
) -> None:
    """Start the sender function for one message in the background; call it after commit."""
    threading.Thread(
        target=_send,
        args=(functions, pool, user, medium, event, code, client_id, client_metadata),
        name="trigger-custom-sender",
        daemon=True,
    ).start()
