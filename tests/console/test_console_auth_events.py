"""The user page's event history against the API: each event as AdminListUserAuthEvents answers it, a page at
a time; the operator's Mark valid / Mark not valid is AdminUpdateAuthEventFeedback's, and shows; with
threat protection off the page says so instead."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

from tests.console.conftest import Console
from tests.support.html_forms import as_data, form_pairs
from userpool.context import Ctx
from userpool.model.auth_events import (
    AuthEvent,
    ChallengeKind,
    ChallengeResult,
    EventResponse,
    EventType,
    RiskDecision,
    RiskLevel,
)

_EVENT_ROW = re.compile(r'<tr class="auth-event" data-event="([^"]+)">(.*?)</tr>', re.S)


def _user(console: Console, mode: str, username: str = "ann") -> tuple[str, str]:
    """A pool in ``mode`` and a user of it; the user's sub."""
    idp = console.idp
    pool_id = idp.create_user_pool(PoolName=f"events-{mode}", UserPoolAddOns={"AdvancedSecurityMode": mode})
    pool_id = pool_id["UserPool"]["Id"]
    user = idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    return pool_id, sub


def _record(console: Console, *events: AuthEvent) -> None:
    """Events in the user's history, as threat protection's sign-in steps write them."""
    deps = console.runtime.deps
    ctx = Ctx(deps=deps, request_id="test", now=deps.clock.now(), region="us-east-1")
    with ctx.store.write() as tx:
        for event in events:
            tx.auth_events.add(event)


def _event(pool_id: str, sub: str, event_id: str, at: float, **over: Any) -> AuthEvent:
    fields: dict[str, Any] = {
        "pool_id": pool_id,
        "sub": sub,
        "event_id": event_id,
        "event_type": EventType.SignIn,
        "created_at": at,
        "response": EventResponse.Pass,
    }
    return AuthEvent(**(fields | over))


def _shown(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<span class="api-message">(.*?)</span>', page, re.S)]


def _rows(page: str) -> dict[str, str]:
    """Each event row's text (tags dropped, spaces collapsed), by event id, in page order."""
    return {
        event_id: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for event_id, row in _EVENT_ROW.findall(page)
    }


def test_admin_list_user_auth_events__the_user_page_shows_each_event(signed_in: Console) -> None:
    pool_id, sub = _user(signed_in, "AUDIT")
    _record(
        signed_in,
        _event(
            pool_id,
            sub,
            "blocked-one",
            1_800_000_000,
            response=EventResponse.Fail,
            risk_decision=RiskDecision.Block,
            risk_level=RiskLevel.High,
            compromised=True,
            challenges=(
                (ChallengeKind.Password, ChallengeResult.Success),
                (ChallengeKind.Mfa, ChallengeResult.Failure),
            ),
            context={"IpAddress": "203.0.113.9", "DeviceName": "Firefox, Linux", "City": "Lyon", "Country": "France"},
        ),
        _event(pool_id, sub, "quiet-one", 1_700_000_000, event_type=EventType.PasswordChange),
    )
    page = signed_in.http.get(f"/console/pools/{pool_id}/user?username=ann")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert list(rows) == ["blocked-one", "quiet-one"]  # newest first, as the operation lists them
    assert rows["blocked-one"].startswith("2027-01-15 08:00 UTC blocked-one SignIn Fail High Block")
    for shown in ("Compromised credentials", "203.0.113.9", "Firefox, Linux", "Lyon, France"):
        assert shown in rows["blocked-one"]
    assert "Password: Success Mfa: Failure" in rows["blocked-one"]
    assert "Feedback None" not in rows["blocked-one"] and "None Mark valid Mark not valid" in rows["blocked-one"]
    assert "PasswordChange Pass Low NoRisk" in rows["quiet-one"]
    assert "Compromised" not in rows["quiet-one"]


def test_admin_update_auth_event_feedback__mark_not_valid_from_the_user_page(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id, sub = _user(signed_in, "ENFORCED", username="bo/b")
    _record(signed_in, _event(pool_id, sub, "ev-1", 1_800_000_000))
    user_path = f"/console/pools/{pool_id}/user?username={quote('bo/b', safe='')}"
    page = signed_in.http.get(user_path)
    action = f"/console/pools/{pool_id}/user/event-feedback?username={quote('bo/b', safe='')}"
    answer = signed_in.http.post(action, data=as_data([*form_pairs(page.text, action), ("value", "Invalid")]))
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{user_path}&notice=feedback_saved"
    feedback = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="bo/b")["AuthEvents"][0]["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Invalid", "Admin")
    shown = signed_in.http.get(answer.headers["location"])
    assert "Feedback on the event saved." in shown.text
    assert "Not valid by admin" in _rows(shown.text)["ev-1"]
    assert 'value="Invalid" class="button ghost small" aria-pressed="true"' in shown.text
    again = signed_in.post(action, {"event_id": "ev-1", "value": "Valid"})
    assert again.status_code == 303
    assert "Valid by admin" in _rows(signed_in.http.get(user_path).text)["ev-1"]


def test_admin_update_auth_event_feedback__refusals_are_shown_on_the_user_page(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id, sub = _user(signed_in, "AUDIT")
    _record(signed_in, _event(pool_id, sub, "ev-1", 1_800_000_000))
    action = f"/console/pools/{pool_id}/user/event-feedback?username=ann"
    for data in ({"event_id": "no-such-event", "value": "Valid"}, {"event_id": "ev-1", "value": "Maybe"}):
        answer = signed_in.post(action, data)
        assert answer.status_code == 400
        params = {"UserPoolId": pool_id, "Username": "ann", "EventId": data["event_id"], "FeedbackValue": data["value"]}
        with pytest.raises(ClientError) as refused:
            signed_in.unchecked.admin_update_auth_event_feedback(**params)
        message = refused.value.response["Error"]["Message"]
        assert _shown(answer.text) == [message]
        assert "ev-1" in _rows(answer.text)  # the user page, its history included
    assert "EventFeedback" not in idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"][0]


def test_admin_list_user_auth_events__the_history_is_paged(signed_in: Console) -> None:
    pool_id, sub = _user(signed_in, "AUDIT")
    _record(signed_in, *(_event(pool_id, sub, f"ev-{n:02d}", 1_800_000_000 + n) for n in range(25)))
    path = f"/console/pools/{pool_id}/user?username=ann"
    first = signed_in.http.get(path)
    assert list(_rows(first.text)) == [f"ev-{n:02d}" for n in range(24, 4, -1)]
    older = re.search(r'href="([^"]+)#events">Older events', first.text)
    assert older and "Newest events" not in first.text
    second = signed_in.http.get(html.unescape(older.group(1)))
    assert list(_rows(second.text)) == [f"ev-{n:02d}" for n in range(4, -1, -1)]
    assert "Older events" not in second.text and "Newest events" in second.text
    # Feedback from the second page comes back to the second page.
    action = re.search(r'action="([^"]*event-feedback[^"]*)"', second.text)
    assert action
    answer = signed_in.http.post(
        html.unescape(action.group(1)),
        data=as_data([*form_pairs(second.text, html.unescape(action.group(1))), ("value", "Valid")]),
    )
    assert answer.status_code == 303
    assert list(_rows(signed_in.http.get(answer.headers["location"]).text)) == list(_rows(second.text))
    assert signed_in.http.get(f"{path}&events=garbage").status_code == 400


def test_admin_list_user_auth_events__with_threat_protection_off_the_page_says_so(signed_in: Console) -> None:
    pool_id, _ = _user(signed_in, "OFF")
    page = signed_in.http.get(f"/console/pools/{pool_id}/user?username=ann")
    assert page.status_code == 200
    assert "Threat protection is off for this pool" in page.text
    assert "UserPoolAddOnNotEnabledException" in page.text
    assert 'class="alert error"' not in page.text and not _rows(page.text)
