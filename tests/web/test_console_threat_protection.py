"""Threat protection from the console in Chromium: Audit only and a blocked IP range set on the pool's page, a
sign-in through boto3, and the event marked not valid from the user page, as AdminListUserAuthEvents then
shows it; the user page at a phone's width too."""

from __future__ import annotations

from typing import Any

from tests.console.conftest import OPERATOR, OPERATOR_PASSWORD, add_operator
from tests.support.auth import PASSWORD, make_client, make_user
from tests.web.conftest import WebServer, shot

PHONE = {"width": 375, "height": 812}
# The range of the address boto3 signs in from here (loopback).
BLOCKED = "127.0.0.0/8"


def test_console__audit_mode_a_sign_in_and_its_feedback(web_server: WebServer, page: Any) -> None:
    server = web_server
    pool_id = server.idp.create_user_pool(PoolName="Guarded")["UserPool"]["Id"]
    client_id = make_client(server.idp, pool_id)["ClientId"]
    make_user(server.idp, pool_id, "ann")
    add_operator(server.runtime)
    page.goto(f"{server.url}/console/login?next=/console/pools/{pool_id}/threat-protection")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Audit only", exact=False).check()
    page.get_by_label("Always block").fill(BLOCKED)
    shot(page, "console-threat-protection")
    page.get_by_role("button", name="Save threat protection").click()
    page.get_by_text("Threat protection settings saved.").wait_for()
    assert server.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolAddOns"] == {
        "AdvancedSecurityMode": "AUDIT"
    }
    risk = server.idp.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert risk["RiskExceptionConfiguration"] == {"BlockedIPRangeList": [BLOCKED]}

    # Audit only: the sign-in from the blocked range goes through, and is recorded with its risk.
    signed = server.idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}
    )
    assert "AccessToken" in signed["AuthenticationResult"]

    page.set_viewport_size(PHONE)
    page.goto(f"{server.url}/console/pools/{pool_id}/user?username=ann")
    row = page.locator("tr.auth-event")
    assert row.count() == 1
    assert all(shown in row.inner_text() for shown in ("SignIn", "Pass", "High", "127.0.0.1"))
    row.get_by_role("button", name="Mark not valid").click()
    page.get_by_text("Feedback on the event saved.").wait_for()
    assert "Not valid" in page.locator("tr.auth-event").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#events").scroll_into_view_if_needed()
    shot(page, "console-user-events-375")

    events = server.idp.admin_list_user_auth_events(UserPoolId=pool_id, Username="ann")["AuthEvents"]
    assert len(events) == 1
    # The range set on the page reached the assessment: High risk, recorded, not acted on (Audit only).
    assert events[0]["EventRisk"] | {"CompromisedCredentialsDetected": None} == {
        "RiskDecision": "NoRisk",
        "RiskLevel": "High",
        "CompromisedCredentialsDetected": None,
    }
    assert events[0]["EventFeedback"]["FeedbackValue"] == "Invalid"
    assert events[0]["EventFeedback"]["Provider"] == "Admin"
