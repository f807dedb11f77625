"""Groups: list and create (description, precedence, role ARN), members and adding one, delete (CreateGroup,
ListGroups, GetGroup, ListUsersInGroup, AdminAddUserToGroup, DeleteGroup)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.web.console.frame import Page
from userpool.web.console.pool_forms import number
from userpool.web.console.pool_pages import load_pool
from userpool.web.console.user_pages import attributes_of

FIELDS = {"groupName": "group_name", "description": "description", "precedence": "precedence", "roleArn": "role_arn"}


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Groups", page.pool_url("/groups")), *more]


async def groups(page: Page) -> Response:
    pool = await load_pool(page)
    values: dict[str, Any] = {}
    if page.request.method == "POST":
        request = {
            "UserPoolId": pool["Id"],
            "GroupName": page.text("group_name"),
            "Description": page.text("description") or None,
            "Precedence": number(page, "precedence"),
            "RoleArn": page.text("role_arn") or None,
        }
        if not page.errors and await page.call("CreateGroup", request, FIELDS) is not None:
            return page.redirect(page.pool_url("/group", name=request["GroupName"]), "group_created")
        values = {k: page.raw(k) for k in ("group_name", "description", "precedence", "role_arn")}
    found = await page.call(
        "ListGroups", {"UserPoolId": pool["Id"], "Limit": 60, "NextToken": page.arg("next") or None}
    )
    return await page.render(
        "groups.html",
        pool=pool,
        groups=(found or {}).get("Groups", []),
        next_token=(found or {}).get("NextToken"),
        values=values,
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Groups", None)],
    )


async def group_detail(page: Page, status: int = 200) -> Response:
    pool = await load_pool(page)
    name = page.arg("name", 128)
    group = (await page.fetch("GetGroup", {"UserPoolId": pool["Id"], "GroupName": name}))["Group"]
    members = await page.call(
        "ListUsersInGroup",
        {"UserPoolId": pool["Id"], "GroupName": name, "Limit": 60, "NextToken": page.arg("next") or None},
    )
    return await page.render(
        "group.html",
        status,
        pool=pool,
        group=group,
        members=[(u, attributes_of(u)) for u in (members or {}).get("Users", [])],
        next_token=(members or {}).get("NextToken"),
        crumbs=_crumbs(page, pool, (name, None)),
    )


async def add_member(page: Page) -> Response:
    """Add the user named in the form to the group (AdminAddUserToGroup); its one field shows any refusal."""
    pool = await load_pool(page)
    name = page.arg("name", 128)
    request = {"UserPoolId": pool["Id"], "Username": page.text("username"), "GroupName": name}
    if await page.call("AdminAddUserToGroup", request) is None:
        for message in page.errors.messages:
            page.errors.note("username", message)
        return await group_detail(page, 400)
    return page.redirect(page.pool_url("/group", name=name), "member_added")


async def delete_group(page: Page) -> Response:
    pool = await load_pool(page)
    name = page.arg("name", 128)
    group = (await page.fetch("GetGroup", {"UserPoolId": pool["Id"], "GroupName": name}))["Group"]
    if page.request.method == "POST":
        if await page.call("DeleteGroup", {"UserPoolId": pool["Id"], "GroupName": name}) is not None:
            return page.redirect(page.pool_url("/groups"), "group_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete the group {group['GroupName']}",
        question=f"Delete the group {group['GroupName']}?",
        detail="Its members stay in the pool; tokens issued from now on no longer name the group.",
        confirm_label="Delete group",
        danger=True,
        action=page.pool_url("/group/delete", name=name),
        back=page.pool_url("/group", name=name),
        crumbs=_crumbs(page, pool, (group["GroupName"], page.pool_url("/group", name=name)), ("Delete", None)),
    )
