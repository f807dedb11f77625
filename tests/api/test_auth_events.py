"""The user event history through boto3: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback and
UpdateAuthEventFeedback, refused while threat protection is off (AWS: their API references; Cognito developer
guide: 'Viewing and exporting user event history')."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import make_settings, running_server
from tests.support.auth import make_user
from tests.support.errors import fails

pytestmark = pytest.mark.xdist_group("auth_events")

ADD_ON_NOT_ENABLED = (
    "UserPoolAddOnNotEnabledException",
    "Advanced security features are not enabled for this user pool.",
)
BAD_TOKEN = ("NotAuthorizedException", "The feedback token is not valid.")


@dataclass(frozen=True)
class Served:
    idp: Any
    server: Any


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("auth-events")
    with running_server(make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")) as server:
        yield Served(server.client(), server)


@pytest.fixture
def idp(served: Served) -> Any:
    return served.idp


def _pool(idp: Any, mode: str) -> str:
    add_ons = {"AdvancedSecurityMode": mode}
    return str(idp.create_user_pool(PoolName=f"events-{mode}", UserPoolAddOns=add_ons)["UserPool"]["Id"])


def test_admin_list_user_auth_events__refused_while_threat_protection_is_off(idp: Any) -> None:
    pool_id = _pool(idp, "OFF")
    make_user(idp, pool_id, "ann")
    assert fails(idp.admin_list_user_auth_events, UserPoolId=pool_id, Username="ann") == ADD_ON_NOT_ENABLED
    feedback = {"UserPoolId": pool_id, "Username": "ann", "EventId": "e1", "FeedbackValue": "Valid"}
    assert fails(idp.admin_update_auth_event_feedback, **feedback) == ADD_ON_NOT_ENABLED
    assert fails(idp.update_auth_event_feedback, FeedbackToken="t0ken", **feedback) == ADD_ON_NOT_ENABLED
    # A pool created without UserPoolAddOns is off too.
    plain = idp.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    assert fails(idp.admin_list_user_auth_events, UserPoolId=plain, Username="nobody") == ADD_ON_NOT_ENABLED


def test_admin_list_user_auth_events__no_events_yet(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    make_user(idp, pool_id, "ann")
    assert idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"] == []


def test_admin_list_user_auth_events__unknown_pool_and_user(idp: Any) -> None:
    missing = "us-east-1_NoSuchPool"
    assert fails(idp.admin_list_user_auth_events, UserPoolId=missing, Username="ann") == (
        "ResourceNotFoundException",
        f"User pool {missing} does not exist.",
    )
    pool_id = _pool(idp, "ENFORCED")
    assert fails(idp.admin_list_user_auth_events, UserPoolId=pool_id, Username="nobody") == (
        "UserNotFoundException",
        "User does not exist.",
    )


def test_admin_update_auth_event_feedback__unknown_user_or_event(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    make_user(idp, pool_id, "ann")
    base = {"UserPoolId": pool_id, "EventId": "no-such-event", "FeedbackValue": "Invalid"}
    assert fails(idp.admin_update_auth_event_feedback, Username="nobody", **base) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert fails(idp.admin_update_auth_event_feedback, Username="ann", **base) == (
        "ResourceNotFoundException",
        "Auth event not found.",
    )


def test_update_auth_event_feedback__unknown_user_and_event_answer_alike(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    make_user(idp, pool_id, "ann")
    base = {"UserPoolId": pool_id, "EventId": "no-such-event", "FeedbackValue": "Valid", "FeedbackToken": "abc.def"}
    assert fails(idp.update_auth_event_feedback, Username="nobody", **base) == BAD_TOKEN
    assert fails(idp.update_auth_event_feedback, Username="ann", **base) == BAD_TOKEN
