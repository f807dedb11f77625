"""InboundFederation: the trigger that reshapes a federated user's attributes at every sign-in through an
external provider (Cognito developer guide: 'Inbound federation Lambda trigger'; LambdaConfigType.InboundFederation,
V1_0 only).

The event (``InboundFederation_ExternalProvider``) carries ``providerName``, ``providerType`` and what the
provider said, as string maps: ``attributes.tokenResponse``, ``idToken`` and ``userInfo`` for OIDC and social
providers, ``samlResponse`` for SAML. The function answers ``userAttributesToMap``: the whole set of pool
attributes to apply, replacing what the IdP's AttributeMapping would give; ``{}`` keeps that mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.errors import InvalidLambdaResponseException
from userpool.model.attribute_mapping import claim_text
from userpool.model.records import Pool
from userpool.triggers.events import envelope
from userpool.triggers.invoke import INVALID_RESPONSE, invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions


def _string_map(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): text for k, v in values.items() if (text := claim_text(v)) is not None}


def inbound_federation(
    functions: TriggerFunctions,
    pool: Pool,
    username: str,
    *,
    client_id: str,
    provider_name: str,
    provider_type: str,
    provider_attributes: Mapping[str, Mapping[str, Any]],
) -> dict[str, str] | None:
    """The attributes the pool's InboundFederation function chose for this sign-in, or None to keep the
    mapped ones (no function, or an empty answer). ``provider_attributes``: the event's ``attributes``."""
    if not configured(pool, Trigger.INBOUND_FEDERATION):
        return None
    request = {
        "providerName": provider_name,
        "providerType": provider_type,
        "attributes": {name: _string_map(values) for name, values in provider_attributes.items()},
    }
    event = envelope(pool, Source.INBOUND_FEDERATION, username, client_id, request, {"userAttributesToMap": {}})
    chosen = invoke(functions, pool, Trigger.INBOUND_FEDERATION, event).get("userAttributesToMap")
    if chosen is None or chosen == {}:
        return None
    if not isinstance(chosen, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return dict(chosen)
