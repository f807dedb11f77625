"""The console in Chromium as a tutorial reader clicks through it: what the forms offer can be submitted
as offered, errors sit next to their fields, the links lead somewhere that answers, and the tables fit a
phone's width (375 px)."""

from __future__ import annotations

import re
from typing import Any

from tests.console.conftest import OPERATOR, OPERATOR_PASSWORD, add_operator
from tests.oauth.conftest import CALLBACK
from tests.web.conftest import WebServer

PHONE = {"width": 375, "height": 812}


def _signed_in(server: WebServer, page: Any) -> None:
    add_operator(server.runtime)
    page.goto(f"{server.url}/console/login")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console/")


def _pool(server: WebServer, **config: Any) -> str:
    return str(server.idp.create_user_pool(PoolName="tutorial", **config)["UserPool"]["Id"])


def _hosted_client(server: WebServer, pool_id: str) -> str:
    client = server.idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return str(client["ClientId"])


def _writable(page: Any) -> Any:
    return page.locator("fieldset", has=page.locator("legend", has_text="Writable")).locator("input[type=checkbox]")


def test_create_user_pool_client__every_writable_box_ticked_is_accepted(web_server: WebServer, page: Any) -> None:
    """Cognito never lets an app client write email_verified or phone_number_verified: the form does not
    offer them, so ticking every box, as tutorials say, creates the client."""
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/clients/new")
    offered = [box.get_attribute("value") for box in _writable(page).all()]
    assert "email" in offered and "phone_number" in offered
    assert "email_verified" not in offered and "phone_number_verified" not in offered
    page.get_by_label("App client name").fill("every-attribute")
    for box in _writable(page).all():
        box.check()
    page.get_by_role("button", name="Create app client").click()
    page.get_by_role("heading", name="every-attribute").wait_for()
    client_id = page.locator("#copy-client-id").inner_text().strip()
    client = web_server.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert set(client["WriteAttributes"]) == set(offered)


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


def test_create_user_pool_client__the_default_form_can_be_submitted(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/clients/new")
    page.get_by_label("App client name").fill("defaults")
    page.get_by_role("button", name="Create app client").click()
    page.get_by_role("heading", name="defaults").wait_for()
    assert page.get_by_role("status").inner_text() == "App client created."
    listed = web_server.idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
    assert [c["ClientName"] for c in listed] == ["defaults"]


def test_create_user_pool_client__a_grant_without_a_callback_url_is_shown_at_that_field(
    web_server: WebServer, page: Any
) -> None:
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/clients/new")
    page.get_by_label("App client name").fill("no-callback")
    page.get_by_label("Authorization code grant").check()
    page.get_by_role("button", name="Create app client").click()
    page.locator("#form-error").wait_for()
    at_field = page.locator("#e-callback_urls")
    assert "CallbackUrls can not be empty" in at_field.inner_text()
    assert page.get_by_label("Callback URLs").get_attribute("aria-invalid") == "true"


def test_create_user_pool_client__auth_flows_carry_their_allow_names(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/clients/new")
    page.get_by_label("App client name").fill("password-auth")
    page.get_by_label("ALLOW_USER_PASSWORD_AUTH").check()
    assert page.get_by_label("ALLOW_USER_SRP_AUTH").is_checked()
    assert page.get_by_label("ALLOW_REFRESH_TOKEN_AUTH").is_checked()
    page.get_by_role("button", name="Create app client").click()
    page.get_by_role("heading", name="password-auth").wait_for()
    client_id = page.locator("#copy-client-id").inner_text().strip()
    client = web_server.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    }


def test_create_user_pool_domain__the_sign_in_link_opens_the_hosted_sign_in_page(
    web_server: WebServer, page: Any
) -> None:
    """The server runs at an IP address, where no ``<prefix>.<address>`` name resolves: the domain page links
    to the sign-in page of the pool's app client on the address the console is open at."""
    pool_id = _pool(web_server)
    _hosted_client(web_server, pool_id)
    web_server.idp.create_user_pool_domain(UserPoolId=pool_id, Domain="tutorial-app")
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/domain")
    with page.expect_popup() as opened:  # in a tab of its own, next to the console
        page.get_by_role("link", name=re.compile("Open the sign-in page")).click()
    sign_in = opened.value
    sign_in.get_by_label("Username").wait_for()
    assert sign_in.url.startswith(f"{web_server.url}/login?")
    assert sign_in.get_by_role("button", name="Sign in").count() == 1


def test_admin_add_user_to_group__from_the_group_page(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    web_server.idp.admin_create_user(UserPoolId=pool_id, Username="grace", MessageAction="SUPPRESS")
    web_server.idp.create_group(UserPoolId=pool_id, GroupName="admin")
    _signed_in(web_server, page)
    page.goto(f"{web_server.url}/console/pools/{pool_id}/group?name=admin")
    page.get_by_label("User name").fill("nobody")
    page.get_by_role("button", name="Add member").click()
    page.locator("#form-error").wait_for()
    assert "User does not exist." in page.locator("#e-username").inner_text()
    page.get_by_label("User name").fill("grace")
    page.get_by_role("button", name="Add member").click()
    page.wait_for_url("**notice=member_added")
    assert page.get_by_role("link", name="grace", exact=True).count() == 1
    members = web_server.idp.list_users_in_group(UserPoolId=pool_id, GroupName="admin")["Users"]
    assert [u["Username"] for u in members] == ["grace"]


def test_list_users__tables_fit_a_phone_with_the_status_column_shown(web_server: WebServer, page: Any) -> None:
    pool_id = _pool(web_server)
    idp = web_server.idp
    idp.create_group(UserPoolId=pool_id, GroupName="admin")
    for name in ("grace.hopper.the.admiral", "ada"):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": f"{name}@a-rather-long-company-domain.example.com"}],
        )
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="admin")
    _signed_in(web_server, page)
    page.set_viewport_size(PHONE)
    for path in (f"/console/pools/{pool_id}/users", f"/console/pools/{pool_id}/group?name=admin"):
        page.goto(web_server.url + path)
        statuses = page.locator("table .status", has_text="FORCE_CHANGE_PASSWORD")
        assert statuses.count() == 2
        for i in range(2):
            box = statuses.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, ...[...document.querySelectorAll('.table-wrap')]"
            ".map(w => w.scrollWidth - w.clientWidth)]"
        )
        assert widths[0] <= PHONE["width"] and all(extra <= 0 for extra in widths[1:]), (path, widths)
