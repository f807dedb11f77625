"""The console in Chromium as a tutorial reader clicks through it: what the forms offer can be submitted
as offered, errors sit next to their fields, the links lead somewhere that answers, and the tables fit a
phone's width (375 px)."""

from __future__ import annotations

import re
from typing import Any

from tests.console.conftest import OPERATOR, OPERATOR_PASSWORD, add_operator
from tests.web.conftest import WebServer


def _signed_in(server: WebServer, page: Any) -> None:
    add_operator(server.runtime)
    page.goto(f"{server.url}/console/login")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console/")


def _pool(server: WebServer, **config: Any) -> str:
    return str(server.idp.create_user_pool(PoolName="tutorial", **config)["UserPool"]["Id"])


def test_admin_create_user__form_does_not_ask_for_sub(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/users/new")
    assert page.locator("#f-attr\\.sub").count() == 0
    assert page.locator("label", has_text=re.compile(r"^sub\b")).count() == 0
    page.get_by_label("User name").fill("ada")
    page.locator("#f-attr\\.email").fill("ada@example.com")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_url("**/user?username=ada&notice=user_created")


def test_create_user_pool__message_template_hint_shows_the_code_placeholder(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    for path in ("/console/pools/new", f"/console/pools/{pool_id}/edit"):
        page.goto(web_server.url + path)
        hint = page.locator("p.hint", has_text="Leave a field empty for Cognito's default wording")
        assert "Codes are {####};" in hint.inner_text()
