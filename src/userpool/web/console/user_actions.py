"""The user actions that change or end an account, each confirmed on a page of its own before it runs:
enable, disable, reset password, sign out everywhere, remove the authenticator app, delete (AdminEnableUser,
AdminDisableUser, AdminResetUserPassword, AdminUserGlobalSignOut, AdminDeleteSoftwareToken, AdminDeleteUser),
removing one of the user's passkeys, and revoking one of its sessions (AdminRevokeUserSession), or turning
session tracking on from the user's page (SetUserPoolSessionConfiguration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from userpool.services.console.user_passkeys import passkeys_of_user, remove_user_passkey
from userpool.web.console.frame import Page, problem
from userpool.web.console.pool_pages import load_pool
from userpool.web.console.wording import when


@dataclass(frozen=True, slots=True)
class Action:
    operation: str
    title: str
    question: str
    detail: str
    notice: str
    button: str
    danger: bool = True


ACTIONS = {
    "enable": Action(
        "AdminEnableUser", "Enable {u}", "Let {u} sign in again?", "", "user_enabled", "Enable user", danger=False
    ),
    "disable": Action(
        "AdminDisableUser",
        "Disable {u}",
        "Disable {u}?",
        "Sign-in is refused and the user's refresh tokens stop working until the account is enabled again.",
        "user_disabled",
        "Disable user",
    ),
    "reset-password": Action(
        "AdminResetUserPassword",
        "Reset the password of {u}",
        "Reset the password of {u}?",
        "The current password stops working; a code to choose a new one is sent to the user.",
        "password_reset",
        "Reset password",
    ),
    "sign-out": Action(
        "AdminUserGlobalSignOut",
        "Sign {u} out everywhere",
        "Sign {u} out of every device?",
        "Refresh tokens are revoked; access and ID tokens already issued stay valid until they expire.",
        "signed_out",
        "Sign out everywhere",
    ),
    "remove-authenticator": Action(
        "AdminDeleteSoftwareToken",
        "Remove the authenticator app of {u}",
        "Remove the authenticator app of {u}?",
        "Its codes no longer sign the user in; the next sign-in asks for another MFA factor, or, where the pool "
        "requires MFA and none is left, to set one up. The user can register a new authenticator.",
        "authenticator_removed",
        "Remove authenticator",
    ),
    "delete": Action(
        "AdminDeleteUser",
        "Delete {u}",
        "Delete the user {u}?",
        "The account, its attributes, group memberships and devices are removed. This cannot be undone.",
        "user_deleted",
        "Delete user",
    ),
}


async def user_action(page: Page) -> Response:
    action = ACTIONS.get(str(page.request.path_params["action"]))
    pool = await load_pool(page)
    username = page.arg("username", 128)
    if action is None:
        return page.redirect(page.pool_url("/user", username=username))
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    if page.request.method == "POST":
        if await page.call(action.operation, {"UserPoolId": pool["Id"], "Username": username}) is not None:
            after = (
                page.pool_url("/users")
                if action.operation == "AdminDeleteUser"
                else page.pool_url("/user", username=username)
            )
            return page.redirect(after, action.notice)
    label = user["Username"]
    return await _confirm(
        page,
        pool,
        label,
        page.pool_url("/user", username=username),
        title=action.title.format(u=label),
        question=action.question.format(u=label),
        detail=action.detail,
        confirm_label=action.button,
        danger=action.danger,
        action=page.pool_url(f"/user/{page.request.path_params['action']}", username=username),
    )


async def _confirm(page: Page, pool: dict[str, Any], label: str, back: str, **question: Any) -> Response:
    """The confirmation page of an action on the user ``label`` (whose page is ``back``): ``question`` holds
    confirm.html's title, question, detail, confirm_label, danger and action."""
    return await page.render(
        "confirm.html",
        pool=pool,
        back=back,
        crumbs=[
            ("User pools", page.url("/")),
            (pool["Name"], page.pool_url()),
            ("Users", page.pool_url("/users")),
            (label, back),
            (question["confirm_label"], None),
        ],
        **question,
    )


async def remove_passkey(page: Page) -> Response:
    """One of the user's passkeys: confirmed (GET), then removed (POST)."""
    pool = await load_pool(page)
    username = page.arg("username", 128)
    credential_id = page.arg("credential", 1024)
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    sub = next((a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "sub"), "")
    found = await page.run(passkeys_of_user, pool["Id"], sub)
    chosen = next((p for p in found if p["CredentialId"] == credential_id), None)
    if chosen is None:
        return await problem(page, 404, "Passkey not found", f"{username} has no passkey with that ID.")
    back = page.pool_url("/user", username=username)
    if page.request.method == "POST" and await page.run(remove_user_passkey, pool["Id"], sub, credential_id):
        return page.redirect(back, "passkey_removed")
    label = user["Username"]
    return await _confirm(
        page,
        pool,
        label,
        back,
        title=f"Remove a passkey of {label}",
        question=f"Remove the passkey \u201c{chosen['FriendlyCredentialName']}\u201d of {label}?",
        detail="The user can no longer sign in with it (the authenticator keeps it until removed there).",
        confirm_label="Remove passkey",
        danger=True,
        action=page.pool_url("/user/passkey", username=username, credential=credential_id),
    )


def _session_label(session: dict[str, Any]) -> str:
    kind = "browser (SSO) session" if session["SessionType"] == "SSO" else "session"
    return f"{kind} {session['SessionId']}"


async def revoke_session(page: Page) -> Response:
    """One of the user's sessions: confirmed (GET), then revoked (POST); its other sessions stay."""
    pool = await load_pool(page)
    username = page.arg("username", 128)
    session_id = page.arg("session", 64)
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    base = {"UserPoolId": pool["Id"], "Username": user["Username"]}
    found = await page.fetch("AdminListUserSessions", base)
    chosen = next((s for s in found.get("Sessions", []) if s["SessionId"] == session_id), None)
    if chosen is None:
        return await problem(page, 404, "Session not found", f"{username} has no active session with that ID.")
    back = page.pool_url("/user", username=username)
    if page.request.method == "POST":
        if await page.call("AdminRevokeUserSession", {**base, "SessionId": session_id}) is not None:
            return page.redirect(back, "session_revoked")
    label = user["Username"]
    sso = chosen["SessionType"] == "SSO"
    return await _confirm(
        page,
        pool,
        label,
        back,
        title=f"Revoke a session of {label}",
        question=f"Revoke the {_session_label(chosen)} of {label}, started {when(chosen.get('CreateDate'))}?",
        detail=(
            "The browser is asked to sign in again; tokens its sign-ins gave applications stay valid."
            if sso
            else "Its refresh tokens stop working, and so do its access tokens; the user's other sessions go on."
        ),
        confirm_label="Revoke session",
        danger=True,
        action=page.pool_url("/user/session", username=username, session=session_id),
    )


async def session_tracking(page: Page) -> Response:
    """Turn the pool's session tracking on (its MaxPerUser kept), and come back to the user's page."""
    pool = await load_pool(page)
    current = await page.fetch("GetUserPoolSessionConfiguration", {"UserPoolId": pool["Id"]})
    request = {
        "UserPoolId": pool["Id"],
        "UserSessionTracking": "ENABLED",
        "TokenSession": current["TokenSession"],
    }
    await page.fetch("SetUserPoolSessionConfiguration", request)
    username = page.arg("username", 128)
    back = page.pool_url("/user", username=username) if username else page.pool_url()
    return page.redirect(back, "session_tracking_on")
