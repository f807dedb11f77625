"""The call objects sign-in steps receive: ``FlowCall`` for InitiateAuth / AdminInitiateAuth, ``ChallengeCall``
for RespondToAuthChallenge / AdminRespondToAuthChallenge (and the hosted pages, which answer challenges the
same way). Each carries the request with its pool and client resolved, so every flow and every challenge
answer has one signature: ``(ctx, call)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.errors import InvalidParameterException
from userpool.model.records import Client, Pool


@dataclass(frozen=True, slots=True)
class FlowCall:
    """One InitiateAuth / AdminInitiateAuth call, its client resolved; ``client_metadata`` is the request's
    ClientMetadata, which PreAuthentication and UserMigration receive as ``validationData``."""

    pool: Pool
    client: Client
    params: dict[str, str]
    admin: bool
    client_metadata: Mapping[str, Any] | None = None
    # What the flow read in the transaction that found the client (its Flow.read_ahead), if anything.
    ahead: object = None


@dataclass(frozen=True, slots=True)
class ChallengeCall:
    """One RespondToAuthChallenge / AdminRespondToAuthChallenge call, its client resolved: the ChallengeName
    answered, its ChallengeResponses and Session; ``client_metadata`` goes to the triggers the answer runs
    (CUSTOM_AUTH's, PreTokenGeneration, PostAuthentication)."""

    pool: Pool
    client: Client
    challenge: str
    responses: dict[str, str]
    session: str | None
    admin: bool
    client_metadata: Mapping[str, Any] | None = None
    # What the answer read in the transaction that found the client (auth_challenges.py, READS_AHEAD), if anything.
    ahead: object = None


def required_parameter(params: Mapping[str, str], name: str) -> str:
    """The AuthParameters / ChallengeResponses member ``name``, which must be given and not empty."""
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value
