"""The user actions that change or end an account, each confirmed on a page of its own before it runs:
enable, disable, reset password, sign out everywhere, delete (AdminEnableUser, AdminDisableUser,
AdminResetUserPassword, AdminUserGlobalSignOut, AdminDeleteUser)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from userpool.web.console.frame import Page
from userpool.web.console.pool_pages import load_pool


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
    return await page.render(
        "confirm.html",
        pool=pool,
        title=action.title.format(u=label),
        question=action.question.format(u=label),
        detail=action.detail,
        confirm_label=action.button,
        danger=action.danger,
        action=page.pool_url(f"/user/{page.request.path_params['action']}", username=username),
        back=page.pool_url("/user", username=username),
        crumbs=[
            ("User pools", page.url("/")),
            (pool["Name"], page.pool_url()),
            ("Users", page.pool_url("/users")),
            (label, page.pool_url("/user", username=username)),
            (action.button, None),
        ],
    )
