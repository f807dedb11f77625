"""The hosted sign-in pages in a real browser: sign-up with the mailed code, a forced new password, password
reset, TOTP set-up and sign-in; each journey ends on the application's callback with a code (Cognito developer guide:
'User pool managed login'). Screenshots of every page are kept in test-artifacts/screenshots/."""

from __future__ import annotations

import html
import re
import struct
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from tests.oauth.conftest import CALLBACK, PASSWORD, oauth_client
from tests.web.conftest import WebServer, authorize_url, shot
from userpool.services.sign_in.auth_challenges import CHALLENGES

NEW_PASSWORD = "N3w-Password-Chosen!"


def _landed(page: Any) -> dict[str, str]:
    """The query of the callback URL the browser ended on."""
    page.wait_for_url(f"{CALLBACK}?*")
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert query["state"] == "web-state" and query["code"]
    return query


def _pool(server: WebServer, **config: Any) -> tuple[str, dict[str, Any]]:
    pool = server.idp.create_user_pool(
        PoolName="Northwind",
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        **config,
    )["UserPool"]
    return pool["Id"], oauth_client(server.idp, pool["Id"])


def _png(width: int = 160, height: int = 40) -> bytes:
    """A small solid-colour PNG logo."""
    raw = b"".join(b"\x00" + bytes((29, 78, 216)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_hosted_ui__sign_up_confirm_with_mailed_code_sign_in(web_server: WebServer, page: Any) -> None:
    _pool_id, client = _pool(web_server)
    page.goto(authorize_url(web_server, client["ClientId"]))
    shot(page, "01-sign-in")
    page.get_by_role("link", name="Sign up").click()
    shot(page, "02-sign-up")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/confirm?*")
    shot(page, "03-confirm")
    page.get_by_label("Verification code").fill(web_server.next_code())
    page.get_by_role("button", name="Confirm account").click()
    page.wait_for_url("**/login?*")
    assert "Your account is confirmed" in page.content()
    shot(page, "04-sign-in-after-confirmation")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _landed(page)


def test_hosted_ui__sign_up_confirm_with_mailed_link_sign_in(web_server: WebServer, page: Any) -> None:
    """A pool that confirms with a link: the sign-up page says a link was mailed; the browser opens the link
    from the mail (the server's own URL, as the pool has no domain) and the account is confirmed."""
    template = {"DefaultEmailOption": "CONFIRM_WITH_LINK", "EmailMessageByLink": "Hello! {##Confirm##}"}
    pool_id, client = _pool(web_server, VerificationMessageTemplate=template)
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("hedy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Email").fill("hedy@example.com")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/login?*")
    assert "We have emailed you a link" in page.content()
    mail = web_server.mail.next(web_server)
    body = mail.message.get_body(preferencelist=("html",))
    assert body is not None
    found = re.search(r'<a href="([^"]+)">Confirm</a>', str(body.get_content()))
    assert found is not None
    link = html.unescape(found.group(1))
    assert link.startswith(f"{web_server.url}/confirmUser?")
    page.goto(link)
    assert page.get_by_role("status").inner_text() == "Your registration has been confirmed!"
    shot(page, "14-confirmed-by-link")
    assert web_server.idp.admin_get_user(UserPoolId=pool_id, Username="hedy")["UserStatus"] == "CONFIRMED"
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_label("Username").fill("hedy")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _landed(page)


def test_hosted_ui__wrong_password_and_language_and_phone_width(web_server: WebServer, page: Any) -> None:
    pool_id, client = _pool(web_server)
    web_server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ada",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ada@example.com"}],
    )
    web_server.idp.admin_set_user_password(UserPoolId=pool_id, Username="ada", Password=PASSWORD, Permanent=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(authorize_url(web_server, client["ClientId"], lang="de"))
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_label("Benutzername").fill("ada")
    page.get_by_label("Passwort").fill("wrong-password")
    page.get_by_role("button", name="Anmelden").click()
    assert "Benutzername oder Passwort ist falsch." in page.content()
    shot(page, "05-sign-in-error-de-phone")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    _landed(page)


def test_hosted_ui__admin_created_user_must_choose_a_new_password(web_server: WebServer, page: Any) -> None:
    pool_id, client = _pool(web_server)
    web_server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="linus",
        TemporaryPassword="Temp-Passw0rd!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "linus@example.com"}],
    )
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_label("Username").fill("linus")
    page.get_by_label("Password").fill("Temp-Passw0rd!")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("New password", exact=True).wait_for()
    shot(page, "06-new-password-required")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill("does-not-match-1A!")
    page.get_by_role("button", name="Set password and sign in").click()
    assert "The passwords do not match." in page.content()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    _landed(page)
    user = web_server.idp.admin_get_user(UserPoolId=pool_id, Username="linus")
    assert user["UserStatus"] == "CONFIRMED"


def test_hosted_ui__forgot_password_reset_with_mailed_code(web_server: WebServer, page: Any) -> None:
    pool_id, client = _pool(web_server)
    web_server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="marie",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "marie@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    web_server.idp.admin_set_user_password(UserPoolId=pool_id, Username="marie", Password=PASSWORD, Permanent=True)
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_role("link", name="Forgot your password?").click()
    shot(page, "07-forgot-password")
    page.get_by_label("Username").fill("marie")
    page.get_by_role("button", name="Send code").click()
    page.wait_for_url("**/confirmForgotPassword?*")
    shot(page, "08-reset-password")
    page.get_by_label("Verification code").fill(web_server.next_code())
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/login?*")
    assert "Your password has been changed" in page.content()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _landed(page)


def test_hosted_ui__reset_password_refuses_a_recent_password(web_server: WebServer, page: Any) -> None:
    policy = {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}}
    pool_id, client = _pool(web_server, Policies=policy)
    web_server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="nora",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "nora@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    web_server.idp.admin_set_user_password(UserPoolId=pool_id, Username="nora", Password=PASSWORD, Permanent=True)
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username").fill("nora")
    page.get_by_role("button", name="Send code").click()
    page.wait_for_url("**/confirmForgotPassword?*")
    code = web_server.next_code()
    for password in (PASSWORD, NEW_PASSWORD):
        page.get_by_label("Verification code").fill(code)
        page.get_by_label("New password", exact=True).fill(password)
        page.get_by_label("Confirm new password").fill(password)
        page.get_by_role("button", name="Change password").click()
        if password == PASSWORD:
            assert page.get_by_role("alert").inner_text() == "Password has previously been used"
            shot(page, "13-reset-password-reused")
    page.wait_for_url("**/login?*")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _landed(page)


def test_hosted_ui__branding_from_set_ui_customization(web_server: WebServer, page: Any) -> None:
    pool_id, client = _pool(web_server)
    css = ".submitButton-customizable { background-color: #0f766e; } .banner-customizable { padding: 8px; }"
    web_server.idp.set_ui_customization(UserPoolId=pool_id, CSS=css, ImageFile=_png())
    page.goto(authorize_url(web_server, client["ClientId"]))
    logo = page.locator("img.logo-customizable")
    assert logo.count() == 1 and logo.evaluate("img => img.naturalWidth") == 160
    colour = page.get_by_role("button", name="Sign in").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(15, 118, 110)"
    shot(page, "09-branded-sign-in")
    # The page runs no script at all and may not be framed.
    response = page.request.get(page.url)
    policy = response.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.skipif("MFA_SETUP" not in CHALLENGES, reason="the MFA challenges are not implemented yet")
def test_hosted_ui__totp_set_up_then_totp_sign_in(web_server: WebServer, page: Any) -> None:
    pool_id, client = _pool(web_server)
    web_server.idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    web_server.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="kay",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "kay@example.com"}],
    )
    web_server.idp.admin_set_user_password(UserPoolId=pool_id, Username="kay", Password=PASSWORD, Permanent=True)
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_label("Username").fill("kay")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    secret = page.locator("code.secret").inner_text().strip()
    assert page.get_by_role("img", name="QR code for your authenticator app").count() == 1
    shot(page, "10-totp-setup")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Verification code").fill(totp.at(web_server.clock.now()))
    page.get_by_role("button", name="Verify and sign in").click()
    _landed(page)

    page.context.clear_cookies()
    web_server.clock.advance(30)  # a code is accepted once: the next sign-in uses the next time step
    page.goto(authorize_url(web_server, client["ClientId"]))
    page.get_by_label("Username").fill("kay")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Verification code").wait_for()
    shot(page, "11-totp-sign-in")
    page.get_by_label("Verification code").fill(totp.at(web_server.clock.now()))
    page.get_by_role("button", name="Verify").click()
    _landed(page)


def test_hosted_ui__error_page(web_server: WebServer, page: Any) -> None:
    _pool_id, client = _pool(web_server)
    page.goto(authorize_url(web_server, client["ClientId"], redirect_uri="https://evil.example/cb"))
    assert "/error?error=redirect_mismatch" in page.url
    shot(page, "12-error")
