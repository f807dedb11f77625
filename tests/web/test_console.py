"""The admin console in Chromium: a whole walkthrough on a fresh server (console sign-in, a pool
with email required and optional TOTP, a public app client for the hosted UI, a domain, a user invited by
mail at a real SMTP server, a group), then the user's first sign-in on the hosted UI; a forged cross-site
POST; and screenshots of every console page at laptop and phone width (test-artifacts/screenshots/)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.console.conftest import OPERATOR, OPERATOR_PASSWORD, add_operator
from tests.oauth.conftest import CALLBACK
from tests.web.conftest import WebServer, shot
from userpool.api.shapes import EXTRA_ENUM_VALUES

TEMPORARY = "Temp-Passw0rd!"
NEW_PASSWORD = "N3w-Password-Chosen!"
PHONE = {"width": 390, "height": 844}


def _sign_in_to_console(server: WebServer, page: Any) -> None:
    add_operator(server.runtime)
    page.goto(f"{server.url}/console/")
    page.wait_for_url("**/console/login?*")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console/")


def _nav(page: Any, label: str) -> None:
    """Follow a link of the console's navigation and wait for its page to have loaded: a locator's ``count``
    does not wait, and could read the page being left."""
    with page.expect_navigation():
        page.get_by_role("navigation", name="Console").get_by_role("link", name=label, exact=True).click()


def test_console__walkthrough_pool_client_domain_user_group_then_hosted_sign_in(
    web_server: WebServer, page: Any
) -> None:
    server = web_server
    add_operator(server.runtime)
    page.goto(f"{server.url}/console/")
    page.wait_for_url("**/console/login?*")
    shot(page, "console-01-sign-in")
    page.get_by_label("Operator name").fill(OPERATOR)
    page.get_by_label("Password").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/console/")
    shot(page, "console-02-pools-empty")

    # A pool: user names, email required (the wizard's default), optional MFA with authenticator apps.
    page.get_by_role("link", name="Create user pool").first.click()
    page.get_by_label("User pool name").fill("Walkthrough")
    page.get_by_label("Optional MFA").check()
    page.get_by_label("Authenticator apps (TOTP)").check()
    shot(page, "console-03-pool-wizard")
    page.get_by_role("button", name="Create user pool").click()
    page.wait_for_url(re.compile(r".*/console/pools/[^/]+\?notice=pool_created$"))
    pool_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    assert "User pool created." in page.content()
    shot(page, "console-04-pool-overview")
    described = server.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert any(a["Name"] == "email" and a["Required"] for a in described["SchemaAttributes"])
    mfa = server.idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"]["Enabled"]

    # A public app client: SRP and refresh, the code grant, openid/email/profile, one callback URL.
    _nav(page, "App clients")
    shot(page, "console-05-clients-empty")
    page.get_by_role("link", name="Create app client").first.click()
    page.get_by_label("App client name").fill("web")
    page.get_by_label("Authorization code grant").check()
    page.get_by_label("Callback URLs").fill(CALLBACK)
    shot(page, "console-06-client-form")
    page.get_by_role("button", name="Create app client").click()
    page.get_by_role("heading", name="web").wait_for()
    client_id = page.locator("#copy-client-id").inner_text().strip()
    client = server.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert "ClientSecret" not in client
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["AllowedOAuthFlows"] == ["code"] and client["CallbackURLs"] == [CALLBACK]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    shot(page, "console-07-client")
    hosted_ui = page.get_by_role("link", name="Launch hosted UI").get_attribute("href")

    # A domain.
    _nav(page, "Domain & branding")
    page.locator("#f-domain").fill("walkthrough-app")
    page.get_by_role("button", name="Create domain").click()
    page.wait_for_url("**/domain?notice=domain_created")
    assert server.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "walkthrough-app"
    shot(page, "console-08-domain-branding")

    # A user with a typed temporary password and the invitation on.
    _nav(page, "Users")
    shot(page, "console-09-users-empty")
    page.get_by_role("link", name="Create user").first.click()
    page.get_by_label("User name").fill("grace")
    page.locator("#f-attr\\.email").fill("grace@example.com")
    page.get_by_label("Temporary password").fill(TEMPORARY)
    shot(page, "console-10-user-form")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_url("**/user?username=grace&notice=user_created")

    # An admin group, with the user in it.
    _nav(page, "Groups")
    page.get_by_label("Group name").fill("admin")
    page.get_by_label("Description").fill("Administrators")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url("**/group?name=admin&notice=group_created")
    page.goto(f"{server.url}/console/pools/{pool_id}/user?username=grace")
    page.get_by_label("Group").select_option("admin")
    page.get_by_role("button", name="Add to group").click()
    page.wait_for_url("**notice=member_added")

    # The invitation arrives at the SMTP server with the temporary password.
    invitation = server.mail.next(server)
    assert invitation.recipients == ["grace@example.com"]
    assert "grace" in invitation.text and TEMPORARY in invitation.text

    # The user's first sign-in on the hosted UI: temporary password, a new one, back to the app with a code.
    page.goto(hosted_ui)
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(TEMPORARY)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url(f"{CALLBACK}?*")
    assert parse_qs(urlsplit(page.url).query)["code"][0]

    # The console shows the user CONFIRMED and in the group.
    page.goto(f"{server.url}/console/pools/{pool_id}/user?username=grace")
    assert page.locator(".page-head .status").first.inner_text() == "CONFIRMED"
    assert page.get_by_role("link", name="admin", exact=True).count() == 1
    shot(page, "console-11-user-detail")
    _screenshots_of_every_page(server, page, pool_id, client_id)


def _screenshots_of_every_page(server: WebServer, page: Any, pool_id: str, client_id: str) -> None:
    """Every console page, at laptop and at phone width, with some content in it."""
    server.idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.example.com",
        Name="Orders API",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"}],
    )
    server.idp.update_user_pool(
        UserPoolId=pool_id,
        LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"},
        AutoVerifiedAttributes=["email"],
    )
    base = f"{server.url}/console/pools/{pool_id}"
    pages = {
        "pools": f"{server.url}/console/",
        "pool-overview": base,
        "pool-edit": f"{base}/edit",
        "pool-delete": f"{base}/delete",
        "clients": f"{base}/clients",
        "client": f"{base}/clients/{client_id}",
        "client-edit": f"{base}/clients/{client_id}/edit",
        "domain-branding": f"{base}/domain",
        "users": f"{base}/users",
        "users-search-none": f"{base}/users?attribute=email&match=prefix&q=nobody",
        "user-new": f"{base}/users/new",
        "user": f"{base}/user?username=grace",
        "user-reset-confirm": f"{base}/user/reset-password?username=grace",
        "groups": f"{base}/groups",
        "group": f"{base}/group?name=admin",
        "identity-providers": f"{base}/providers",
        "identity-provider-new-saml": f"{base}/providers/new?type=SAML",
        "identity-provider-new-apple": f"{base}/providers/new?type=SignInWithApple",
        "resource-servers": f"{base}/resource-servers",
        "triggers": f"{base}/triggers",
        "signing-keys": f"{base}/keys",
        "outbox": f"{server.url}/console/outbox",
    }
    for name, url in pages.items():
        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(url)
        shot(page, f"console-page-{name}")
        page.set_viewport_size(PHONE)
        shot(page, f"console-page-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{server.url}/console/pools/new")
    page.get_by_label("User pool name").fill("")
    page.get_by_label("Minimum length").fill("200")
    page.get_by_role("button", name="Create user pool").click()
    page.locator("#form-error").wait_for()
    shot(page, "console-page-pool-wizard-errors")
    page.set_viewport_size(PHONE)
    shot(page, "console-page-pool-wizard-errors-phone")


def test_console__forged_cross_site_post_is_rejected(web_server: WebServer, page: Any) -> None:
    _sign_in_to_console(web_server, page)
    forged = (
        f'<form method="post" action="{web_server.url}/console/pools/new">'
        '<input name="pool_name" value="forged"><button type="submit">Win a prize</button></form>'
    )
    page.route(
        re.compile(r"^http://localhost:8123/prize$"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=forged),
    )
    page.goto("http://localhost:8123/prize")
    with page.expect_response(f"{web_server.url}/console/pools/new") as answer:
        page.get_by_role("button", name="Win a prize").click()
    assert answer.value.status == 403
    assert web_server.idp.list_user_pools(MaxResults=10)["UserPools"] == []
    # The same browser, on the console itself, still works.
    page.goto(f"{web_server.url}/console/")
    assert page.get_by_role("heading", name="User pools").count() == 1


def test_update_user_pool_client__console_edit_keeps_every_auth_flow(web_server: WebServer, page: Any) -> None:
    """Saving a client's form keeps the ExplicitAuthFlows it had, the token-exchange values and the legacy names
    included, and offers every ALLOW_* value of the model to tick."""
    server = web_server
    pool_id = server.idp.create_user_pool(PoolName="Flows")["UserPool"]["Id"]
    modern = ["ALLOW_USER_SRP_AUTH", "ALLOW_TOKEN_EXCHANGE_DELEGATION", "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"]
    legacy = ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]
    _sign_in_to_console(server, page)
    for flows in (modern, legacy):
        client = server.idp.create_user_pool_client(UserPoolId=pool_id, ClientName="svc", ExplicitAuthFlows=flows)
        client_id = client["UserPoolClient"]["ClientId"]
        page.goto(f"{server.url}/console/pools/{pool_id}/clients/{client_id}/edit")
        for value in flows:
            assert page.locator(f'input[name="auth_flows"][value="{value}"]').is_checked()
        page.get_by_label("App client name").fill("svc-renamed")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(re.compile(rf".*/clients/{client_id}\?notice=client_updated$"))
        saved = server.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        assert (saved["ClientName"], saved["ExplicitAuthFlows"]) == ("svc-renamed", flows)
    page.goto(f"{server.url}/console/pools/{pool_id}/clients/new")
    offered = page.locator('input[name="auth_flows"]').evaluate_all("inputs => inputs.map(i => i.value)")
    # The model's, and ALLOW_CLIENT_TOKEN_AUTH, which GetClientToken needs though the model's enum lacks it.
    model = [
        *server.idp.meta.service_model.shape_for("ExplicitAuthFlowsType").enum,
        *EXTRA_ENUM_VALUES["ExplicitAuthFlowsType"],
    ]
    assert set(offered) == {v for v in model if v.startswith("ALLOW_")}


def test_create_identity_provider__console_adds_an_oidc_provider_offers_it_to_clients_and_deletes_it(
    web_server: WebServer, page: Any
) -> None:
    """An operator adds an OIDC provider with an attribute mapping through the form, finds it listed and among
    the app client form's identity providers, and deletes it."""
    server = web_server
    pool_id = server.idp.create_user_pool(PoolName="Federated")["UserPool"]["Id"]
    _sign_in_to_console(server, page)
    page.goto(f"{server.url}/console/pools/{pool_id}")
    _nav(page, "Identity providers")
    page.get_by_role("link", name="OpenID Connect (OIDC)").click()
    page.get_by_label("Provider name").fill("Corp")
    page.get_by_label("Client ID").fill("userpool-rp")
    page.get_by_label("Client secret").fill("corp-secret")
    page.get_by_label("Issuer URL").fill("https://idp.example.com")
    page.get_by_label("Attributes request method").select_option("POST")
    for label, url in (
        ("Authorization endpoint", "https://idp.example.com/authorize"),
        ("Token endpoint", "https://idp.example.com/token"),
        ("UserInfo endpoint", "https://idp.example.com/userinfo"),
        ("JWKS URI", "https://idp.example.com/jwks"),
    ):
        page.get_by_label(label).fill(url)
    # The first row maps email to email; a row added with the button maps name.
    page.get_by_label("Provider attribute 1").fill("mail")
    page.get_by_role("button", name="Add a row").click()
    page.get_by_label("User pool attribute 5").select_option("name")
    page.get_by_label("Provider attribute 5").fill("display_name")
    page.get_by_label("IdP identifiers").fill("example.com")
    shot(page, "console-provider-form")
    page.get_by_role("button", name="Add identity provider").click()
    page.wait_for_url("**/provider?name=Corp&notice=provider_created")
    assert page.locator("#copy-redirect-uri").inner_text() == f"{server.url}/oauth2/idpresponse"
    assert "corp-secret" not in page.content()
    shot(page, "console-provider")
    described = server.idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"]
    assert described["ProviderDetails"] == {
        "client_id": "userpool-rp",
        "client_secret": "corp-secret",
        "authorize_scopes": "openid email profile",
        "attributes_request_method": "POST",
        "attributes_url_add_attributes": "false",
        "oidc_issuer": "https://idp.example.com",
        "authorize_url": "https://idp.example.com/authorize",
        "token_url": "https://idp.example.com/token",
        "attributes_url": "https://idp.example.com/userinfo",
        "jwks_uri": "https://idp.example.com/jwks",
    }
    assert described["AttributeMapping"] == {"email": "mail", "name": "display_name", "username": "sub"}
    assert described["IdpIdentifiers"] == ["example.com"]

    _nav(page, "Identity providers")
    assert page.get_by_role("link", name="Corp", exact=True).count() == 1
    shot(page, "console-providers")
    _nav(page, "App clients")
    with page.expect_navigation():  # evaluate_all does not wait, and could read the page being left
        page.get_by_role("link", name="Create app client").first.click()
    offered = page.locator('input[name="providers"]').evaluate_all("inputs => inputs.map(i => i.value)")
    assert offered == ["COGNITO", "Corp"]

    page.goto(f"{server.url}/console/pools/{pool_id}/provider?name=Corp")
    page.get_by_role("link", name="Delete", exact=True).click()
    page.get_by_role("button", name="Delete identity provider").click()
    page.wait_for_url("**/providers?notice=provider_deleted")
    assert server.idp.list_identity_providers(UserPoolId=pool_id, MaxResults=10)["Providers"] == []
