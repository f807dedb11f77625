"""The port through which the server records what it does, for its metrics (``ctx.metrics``; README
"Monitoring").

Every label value passed here comes from a small, fixed set: an operation of the Cognito model or a route's
path template, never a path as requested or anything a user typed; an outcome that is ``success``, a Cognito
``__type`` (an error class's name) or a status class; Cognito's own AuthFlow and ChallengeName values. The
adapter turns any other value into ``other``, so that no label can grow without bound.
"""

from __future__ import annotations

from typing import Protocol

from userpool.model.auth_events import RiskDecision, RiskLevel

# Outcomes of a request besides a Cognito __type (the API's errors): a route's answers below 400, its 4xx
# answers, and any answer of 500 or above (an API call's InternalErrorException included).
SUCCESS = "success"
CLIENT_ERROR = "4xx"
SERVER_ERROR = "5xx"
# The operation of an API call whose X-Amz-Target names no operation of the model, and the route of a
# request that matched none.
UNKNOWN_OPERATION = "unknown"
UNMATCHED_ROUTE = "unmatched"

# Sign-in flows besides Cognito's AuthFlow values (InitiateAuth, AdminInitiateAuth) and ChallengeName values
# (the challenge a RespondToAuthChallenge / AdminRespondToAuthChallenge answers).
HOSTED = "hosted"
FEDERATED = "federated"
# A sign-in step's result besides the next ChallengeName or the failure's type: the sign-in is complete (the
# API answered with tokens; on the hosted pages and through an identity provider, the user is signed in and
# the application gets its code or tokens).
TOKENS = "tokens"
# A federated sign-in's answer that belongs to no sign-in of the browser (unknown, expired or used state):
# shown on the error page, since no application can be told.
ERROR_PAGE = "error_page"

# Cognito's EventRiskType members (AdminListUserAuthEvents): RiskLevelType and RiskDecisionType; ``none``
# for an evaluation that found no risk signal at all (no level).
NO_RISK_LEVEL = "none"
RISK_LEVELS = frozenset(level.value for level in RiskLevel) | {NO_RISK_LEVEL}
RISK_DECISIONS = frozenset(decision.value for decision in RiskDecision)
# What a label value outside its set is recorded as.
OTHER = "other"


class Metrics(Protocol):
    """What the server counts; each call is cheap enough for the hottest request (a dictionary look-up and a
    few additions)."""

    def request(self, operation: str, outcome: str, seconds: float) -> None:
        """One answered request: ``operation`` an API operation (or ``unknown``) or a route's path template (or
        ``unmatched``), ``outcome`` ``success``, a Cognito ``__type``, ``4xx`` or ``5xx``, ``seconds`` its
        time in the server."""
        ...

    def sign_in(self, flow: str, result: str) -> None:
        """One step of a sign-in: ``flow`` an AuthFlow, the ChallengeName answered, ``hosted`` or ``federated``;
        ``result`` ``tokens``, the next ChallengeName, or the failure's Cognito ``__type`` (an RFC 6749 error
        code, or ``error_page``, for a federated sign-in)."""
        ...

    def risk_decision(self, level: str | None, decision: str) -> None:
        """One risk evaluation of threat protection: ``level`` a RiskLevel (Low, Medium, High; None when there
        was no signal), ``decision`` a RiskDecision (NoRisk, AccountTakeover, Block), as an auth event records
        them (model/auth_events.py, AdminListUserAuthEvents' EventRisk)."""
        ...


class NoMetrics:
    """Records nothing: for a server whose metrics are off, and for commands that serve no requests."""

    def request(self, operation: str, outcome: str, seconds: float) -> None:
        pass

    def sign_in(self, flow: str, result: str) -> None:
        pass

    def risk_decision(self, level: str | None, decision: str) -> None:
        pass


NO_METRICS: Metrics = NoMetrics()
