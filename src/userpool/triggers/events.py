"""The envelope every Cognito trigger event shares, and the request members several triggers carry.

Cognito developer guide: 'Customizing user pool workflows with Lambda triggers' (the common parameters):
``version``, ``triggerSource``, ``region``, ``userPoolId``, ``userName``, ``callerContext{awsSdkVersion, clientId}``,
``request``, ``response``. Attribute values are strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from userpool.model.records import Pool, User

# What Cognito reports when the caller's SDK is unknown to it; we never see the caller's SDK.
SDK_VERSION = "aws-sdk-unknown-unknown"
# Real Cognito's client id for operations made with admin credentials (AdminCreateUser, AdminConfirmSignUp,
# AdminResetUserPassword): handlers branch on it, so it is sent instead of null.
ADMIN_CLIENT_ID = "CLIENT_ID_NOT_APPLICABLE"


def pool_region(pool: Pool) -> str:
    """The region part of the pool id (``us-east-1`` of ``us-east-1_AbC123``)."""
    return pool.id.split("_", 1)[0]


def envelope(
    pool: Pool,
    trigger_source: str,
    username: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    version: str = "1",
) -> dict[str, Any]:
    """A whole trigger event; ``client_id`` None is an admin operation's."""
    return {
        "version": version,
        "triggerSource": trigger_source,
        "region": pool_region(pool),
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or ADMIN_CLIENT_ID},
        "request": request,
        "response": response if response is not None else {},
    }


def user_attributes(user: User) -> dict[str, str]:
    """``request.userAttributes`` of an existing user: its attributes and ``cognito:user_status``."""
    return {**user.attributes, "cognito:user_status": user.status}


def string_map(given: Mapping[str, Any] | None) -> dict[str, str]:
    """A ClientMetadata map as the trigger sees it (``{}`` when the request had none)."""
    return {str(k): str(v) for k, v in (given or {}).items()}


def name_value_map(given: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """ValidationData's ``[{"Name", "Value"}]`` as the ``validationData`` map triggers read."""
    return {str(item["Name"]): str(item.get("Value") or "") for item in given or ()}
