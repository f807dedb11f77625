"""The console's Outgoing messages page at a phone's width (375 px) in Chromium: every column, the status
included, fits the screen; neither the page nor the table scrolls sideways."""

from __future__ import annotations

from typing import Any

from tests.console.conftest import OPERATOR, OPERATOR_PASSWORD, add_operator
from tests.support.outbox import sent
from tests.web.conftest import WebServer, shot

PHONE = {"width": 375, "height": 812}


def test_console__outbox_fits_a_phone_with_the_status_in_view(web_server: WebServer, page: Any) -> None:
    server = web_server
    pool_id = server.idp.create_user_pool(PoolName="phone")["UserPool"]["Id"]
    for username in ("hannah.longname-for-wrapping", "ivan"):
        server.idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@subdomain.example-company.com"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
    server.mail.wait_for(2, server)
    sent(server.runtime, 2)
    add_operator(server.runtime)
    page.set_viewport_size(PHONE)
    page.goto(f"{server.url}/console/login?next=/console/outbox")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console/outbox")
    shot(page, "console-outbox-375")

    widths = page.evaluate(
        """() => {
          const wrap = document.querySelector('.table-wrap');
          return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                  table: wrap.scrollWidth, wrap: wrap.clientWidth};
        }"""
    )
    assert widths["page"] <= widths["view"], widths
    assert widths["table"] <= widths["wrap"], widths
    statuses = page.locator("tbody .status")
    assert statuses.count() == 2
    for i in range(2):
        box = statuses.nth(i).bounding_box()
        assert box is not None and statuses.nth(i).is_visible()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], box
        assert statuses.nth(i).inner_text() == "SENT"
