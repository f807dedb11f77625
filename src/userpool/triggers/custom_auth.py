"""DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse: the three functions that drive a
CUSTOM_AUTH sign-in (Cognito developer guide: 'Custom authentication challenge Lambda triggers').

Each event carries the ``session``: what the sign-in went through so far, one entry per challenge, as
``{challengeName, challengeResult}`` (``SRP_A``, ``PASSWORD_VERIFIER``) or ``{challengeName:
"CUSTOM_CHALLENGE", challengeResult, challengeMetadata}``. The response members are pre-filled with nulls, as
Cognito sends them, and read strictly: a wrong JSON type, a challenge name Cognito would not accept or
parameters that are not maps of strings are InvalidLambdaResponseException.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from userpool.errors import InvalidLambdaResponseException, InvalidParameterException
from userpool.model.records import Pool
from userpool.model.vocabulary import ChallengeName
from userpool.triggers.events import envelope, string_map
from userpool.triggers.invoke import INVALID_RESPONSE, invoke
from userpool.triggers.lambda_config import Trigger, configured
from userpool.triggers.responses import flag, optional_string
from userpool.triggers.sources import Source
from userpool.triggers.transport import TriggerFunctions

# What DefineAuthChallenge may ask for next; the built-in MFA names some functions return are refused.
DEFINABLE = frozenset({ChallengeName.CUSTOM_CHALLENGE, ChallengeName.PASSWORD_VERIFIER})
# Cognito's answer to CUSTOM_AUTH in a pool without the custom-auth functions.
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is signing in, as the events show it: ``username`` is the internal username (the typed one for
    a user that does not exist), ``attributes`` the user's attributes with ``cognito:user_status``."""

    username: str
    attributes: dict[str, str]
    not_found: bool
    client_id: str
    client_metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Definition:
    """DefineAuthChallenge's decision: fail, issue tokens, or present ``challenge``."""

    challenge: str | None
    issue_tokens: bool
    fail: bool


@dataclass(frozen=True, slots=True)
class CreatedChallenge:
    """CreateAuthChallenge's answer: ``public`` becomes the ChallengeParameters, ``private`` stays on the
    server for VerifyAuthChallengeResponse, ``metadata`` names the challenge in the next session entry."""

    public: dict[str, str]
    private: dict[str, str]
    metadata: str | None


def custom_auth_configured(pool: Pool) -> bool:
    return configured(pool, Trigger.DEFINE_AUTH_CHALLENGE)


def _event(pool: Pool, source: Source, subject: Subject, request: dict[str, Any], response: dict[str, Any]) -> Any:
    request = {
        "userAttributes": dict(subject.attributes),
        **request,
        "clientMetadata": string_map(subject.client_metadata),
        "userNotFound": subject.not_found,
    }
    return envelope(pool, source, subject.username, subject.client_id, request, response)


def _string_map(response: dict[str, Any], name: str) -> dict[str, str]:
    value = response.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return {str(k): v for k, v in value.items()}


def define_auth_challenge(
    functions: TriggerFunctions, pool: Pool, subject: Subject, session: list[dict[str, Any]]
) -> Definition:
    """Ask DefineAuthChallenge what comes after ``session``."""
    if not custom_auth_configured(pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    response = {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    event = _event(pool, Source.DEFINE_AUTH_CHALLENGE, subject, {"session": session}, response)
    answer = invoke(functions, pool, Trigger.DEFINE_AUTH_CHALLENGE, event)
    fail, issue = flag(answer, "failAuthentication"), flag(answer, "issueTokens")
    challenge = optional_string(answer, "challengeName")
    if challenge is not None and challenge not in DEFINABLE:
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    if not fail and not issue and challenge is None:
        # Neither an outcome nor a next challenge: nothing the sign-in could go on with.
        raise InvalidLambdaResponseException(INVALID_RESPONSE)
    return Definition(challenge=challenge, issue_tokens=issue, fail=fail)


def create_auth_challenge(
    functions: TriggerFunctions, pool: Pool, subject: Subject, challenge: str, session: list[dict[str, Any]]
) -> CreatedChallenge:
    """Have CreateAuthChallenge make the ``challenge`` DefineAuthChallenge asked for."""
    if not configured(pool, Trigger.CREATE_AUTH_CHALLENGE):
        raise InvalidParameterException(NOT_CONFIGURED)
    response = {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None}
    request = {"challengeName": challenge, "session": session}
    answer = invoke(
        functions,
        pool,
        Trigger.CREATE_AUTH_CHALLENGE,
        _event(pool, Source.CREATE_AUTH_CHALLENGE, subject, request, response),
    )
    return CreatedChallenge(
        public=_string_map(answer, "publicChallengeParameters"),
        private=_string_map(answer, "privateChallengeParameters"),
        metadata=optional_string(answer, "challengeMetadata"),
    )


def verify_auth_challenge_response(
    functions: TriggerFunctions, pool: Pool, subject: Subject, private: Mapping[str, str], answer: str
) -> bool:
    """Ask VerifyAuthChallengeResponse whether ``answer`` solves the challenge ``private`` describes."""
    if not configured(pool, Trigger.VERIFY_AUTH_CHALLENGE_RESPONSE):
        raise InvalidParameterException(NOT_CONFIGURED)
    request = {"privateChallengeParameters": dict(private), "challengeAnswer": answer}
    event = _event(pool, Source.VERIFY_AUTH_CHALLENGE_RESPONSE, subject, request, {"answerCorrect": None})
    return flag(invoke(functions, pool, Trigger.VERIFY_AUTH_CHALLENGE_RESPONSE, event), "answerCorrect")
