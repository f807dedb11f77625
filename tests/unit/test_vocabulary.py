"""model/vocabulary.py (and the event history's names in model/auth_events.py) against the enums of botocore's
cognito-idp model, and what its members turn into on the wire: the plain literal, through orjson (the API's
JSON) and the standard json module alike."""

from __future__ import annotations

import json
from enum import StrEnum

import botocore.loaders
import orjson
import pytest

from userpool.api.shapes import EXTRA_ENUM_VALUES
from userpool.model.auth_events import (
    ChallengeKind,
    ChallengeResult,
    EventResponse,
    EventType,
    FeedbackValue,
    RiskDecision,
    RiskLevel,
)
from userpool.model.vocabulary import (
    AuthFlow,
    ChallengeName,
    DeliveryMedium,
    ExplicitAuthFlow,
    LogEventSource,
    LogLevel,
    UserStatus,
)

SHAPES = botocore.loaders.Loader().load_service_model("cognito-idp", "service-2")["shapes"]
# Each enum and the model shape whose values it holds, in the model's order.
MIRRORS: list[tuple[type[StrEnum], str]] = [
    (UserStatus, "UserStatusType"),
    (ChallengeName, "ChallengeNameType"),
    (AuthFlow, "AuthFlowType"),
    (ExplicitAuthFlow, "ExplicitAuthFlowsType"),
    (DeliveryMedium, "DeliveryMediumType"),
    (LogEventSource, "EventSourceName"),
    (LogLevel, "LogLevel"),
    # The user event history of threat protection (model/auth_events.py).
    (EventType, "EventType"),
    (EventResponse, "EventResponseType"),
    (RiskDecision, "RiskDecisionType"),
    (RiskLevel, "RiskLevelType"),
    (ChallengeKind, "ChallengeName"),
    (ChallengeResult, "ChallengeResponse"),
    (FeedbackValue, "FeedbackValueType"),
]


@pytest.mark.parametrize(("enum", "shape"), MIRRORS, ids=[shape for _, shape in MIRRORS])
def test_vocabulary__enum_holds_the_model_values(enum: type[StrEnum], shape: str) -> None:
    # Values the service takes that the published model does not list yet come last (api/shapes.py).
    assert [member.value for member in enum] == [*SHAPES[shape]["enum"], *EXTRA_ENUM_VALUES.get(shape, ())]
    assert all(member.name == member.value for member in enum)


@pytest.mark.parametrize("member", [m for enum, _ in MIRRORS for m in enum], ids=str)
def test_vocabulary__member_is_the_plain_literal_on_the_wire(member: StrEnum) -> None:
    literal = member.value
    assert orjson.dumps({"s": member}) == orjson.dumps({"s": literal})
    assert json.dumps({"s": member}) == json.dumps({"s": literal})
    assert f"{member}" == str(member) == literal
    assert member == literal and hash(member) == hash(literal)


def test_vocabulary__user_status_serialises_as_cognito_spells_it() -> None:
    assert orjson.dumps({"s": UserStatus.CONFIRMED}) == b'{"s":"CONFIRMED"}'
