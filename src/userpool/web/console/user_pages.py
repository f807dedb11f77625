"""Users: the list (search by any filterable attribute, exact or prefix, paged), creation with a typed or
generated temporary password and the invitation on or off, and the detail page with attributes, status,
MFA, devices, sessions and groups (ListUsers, AdminCreateUser, AdminGetUser, AdminUpdateUserAttributes,
AdminSetUserMFAPreference, AdminGetUserAuthFactors, AdminListDevices, AdminListUserSessions,
AdminAdd/RemoveUserToGroup, AdminListGroupsForUser), and the
user's event history with the operator's feedback on each event (AdminListUserAuthEvents,
AdminUpdateAuthEventFeedback)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.errors import InvalidUserPoolConfigurationException, OperationNotEnabledException
from userpool.model.vocabulary import DeliveryMedium
from userpool.services.console.user_passkeys import passkeys_of_user
from userpool.services.users.steps.auth_factors import SOFTWARE_TOKEN
from userpool.web.console.event_pages import PAGE_ARG, event_history
from userpool.web.console.frame import Page
from userpool.web.console.pool_pages import load_pool

PAGE_SIZE = 50
# ListUsers' filterable attributes (AWS: ListUsers API reference, Filter).
SEARCHABLE = (
    ("username", "User name"),
    ("email", "Email"),
    ("phone_number", "Phone number"),
    ("name", "Name"),
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("preferred_username", "Preferred user name"),
    ("cognito:user_status", "Status"),
    ("status", "Enabled / Disabled"),
    ("sub", "sub"),
)
ATTRIBUTE_PREFIX = "attr."
NEW_USER_FIELDS = {"username": "username", "temporaryPassword": "temporary_password"}
_READ_ONLY = ("sub",)


def quoted(value: str) -> str:
    """A ListUsers filter value: quotes and backslashes escaped (model/filters.py)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Users", page.pool_url("/users")), *more]


def attributes_of(user: dict[str, Any]) -> dict[str, str]:
    found = user.get("Attributes") or user.get("UserAttributes") or []
    return {a["Name"]: a.get("Value", "") for a in found}


async def users(page: Page) -> Response:
    pool = await load_pool(page)
    attribute, match, text = page.arg("attribute", 64) or "username", page.arg("match", 8), page.arg("q")
    if attribute not in dict(SEARCHABLE):
        attribute = "username"
    request: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "Limit": PAGE_SIZE,
        "PaginationToken": page.arg("next") or None,
    }
    if text:
        request["Filter"] = f"{attribute} {'=' if match == 'exact' else '^='} {quoted(text)}"
    found = await page.call("ListUsers", request, {"filter": "q"}) or {}
    return await page.render(
        "users.html",
        pool=pool,
        users=[(u, attributes_of(u)) for u in found.get("Users", [])],
        next_token=found.get("PaginationToken"),
        searchable=SEARCHABLE,
        values={"attribute": attribute, "match": match or "prefix", "q": text},
        searching=bool(text),
        paged=bool(request["PaginationToken"]),
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Users", None)],
    )


def _required_attributes(pool: dict[str, Any]) -> list[str]:
    """The attributes the Create user form asks for: the schema's required ones but ``sub``, which the
    schema marks required and Cognito assigns, and the pool's username attributes."""
    names = [a["Name"] for a in pool.get("SchemaAttributes", []) if a.get("Required") and a["Name"] not in _READ_ONLY]
    for identifier in pool.get("UsernameAttributes") or []:
        if identifier not in names:
            names.insert(0, identifier)
    return names


async def _new_form(page: Page, pool: dict[str, Any], values: dict[str, Any]) -> Response:
    return await page.render(
        "user_new.html",
        pool=pool,
        values=values,
        uses_username=not pool.get("UsernameAttributes"),
        required=_required_attributes(pool),
        crumbs=_crumbs(page, pool, ("Create user", None)),
    )


async def new_user(page: Page) -> Response:
    pool = await load_pool(page)
    if page.request.method == "GET":
        return await _new_form(page, pool, {"invite": True, "email_verified": True})
    required = _required_attributes(pool)
    attributes = [
        {"Name": name, "Value": page.text(ATTRIBUTE_PREFIX + name)}
        for name in dict.fromkeys([*required, "email", "phone_number"])
        if page.text(ATTRIBUTE_PREFIX + name)
    ]
    if page.checked("email_verified") and any(a["Name"] == "email" for a in attributes):
        attributes.append({"Name": "email_verified", "Value": "true"})
    username = page.text("username")
    if not username and pool.get("UsernameAttributes"):
        # Pools that sign in with an email or phone take that as the user name.
        username = next((a["Value"] for a in attributes if a["Name"] in pool["UsernameAttributes"]), "")
    invite = page.checked("invite")
    request: dict[str, Any] = {
        "UserPoolId": pool["Id"],
        "Username": username,
        "UserAttributes": attributes or None,
        "TemporaryPassword": page.raw("temporary_password") or None,
        "DesiredDeliveryMediums": [DeliveryMedium.EMAIL] if invite else None,
        "MessageAction": None if invite else "SUPPRESS",
    }
    fields = {
        **NEW_USER_FIELDS,
        **{f"userAttributes.{i}.member": ATTRIBUTE_PREFIX + a["Name"] for i, a in enumerate(attributes, 1)},
    }
    created = await page.call("AdminCreateUser", request, fields)
    if created is None:
        values: dict[str, Any] = {k: page.raw(k) for k in page.form or {} if k not in ("_csrf", "temporary_password")}
        values.update(invite=invite, email_verified=page.checked("email_verified"))
        return await _new_form(page, pool, values)
    return page.redirect(page.pool_url("/user", username=created["User"]["Username"]), "user_created")


async def user_detail(page: Page) -> Response:
    pool = await load_pool(page)
    username = page.arg("username", 128)
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    return await _detail(page, pool, user)


async def _detail(page: Page, pool: dict[str, Any], user: dict[str, Any], status: int = 200) -> Response:
    base = {"UserPoolId": pool["Id"], "Username": user["Username"]}
    groups = await page.call("AdminListGroupsForUser", {**base, "Limit": 60}) or {}
    all_groups = await page.call("ListGroups", {"UserPoolId": pool["Id"], "Limit": 60}) or {}
    try:
        devices = await page.fetch("AdminListDevices", {**base, "Limit": 60})
    except InvalidUserPoolConfigurationException:
        devices = None  # device tracking is off for the pool: nothing to list, and the form's errors stay
    mine = [g["GroupName"] for g in groups.get("Groups", [])]
    passkeys = await page.run(passkeys_of_user, pool["Id"], attributes_of(user).get("sub", ""))
    factors = await page.fetch("AdminGetUserAuthFactors", base)
    try:
        sessions: list[dict[str, Any]] | None = (await page.fetch("AdminListUserSessions", base))["Sessions"]
    except OperationNotEnabledException:
        sessions = None  # the pool does not track sessions
    history = await event_history(page, pool["Id"], user["Username"])
    return await page.render(
        "user.html",
        status,
        pool=pool,
        user=user,
        username=user["Username"],
        attributes=attributes_of(user),
        read_only=_READ_ONLY,
        groups=groups.get("Groups", []),
        other_groups=[g["GroupName"] for g in all_groups.get("Groups", []) if g["GroupName"] not in mine],
        devices=(devices or {}).get("Devices", []),
        passkeys=passkeys,
        has_authenticator=SOFTWARE_TOKEN in factors.get("ConfiguredUserAuthFactors", []),
        sessions=sessions,
        history=history,
        events_page=page.arg(PAGE_ARG, 4096),
        crumbs=_crumbs(page, pool, (user["Username"], None)),
    )


async def _reload(page: Page, pool: dict[str, Any], username: str) -> Response:
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    return await _detail(page, pool, user, 400)


async def update_attributes(page: Page) -> Response:
    pool = await load_pool(page)
    username = page.arg("username", 128)
    user = await page.fetch("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    current = attributes_of(user)
    changed = [
        {"Name": name, "Value": page.text(ATTRIBUTE_PREFIX + name)}
        for name in current
        if name not in _READ_ONLY and page.text(ATTRIBUTE_PREFIX + name) != current[name]
    ]
    new_name, new_value = page.text("new_name"), page.text("new_value")
    if new_name:
        changed.append({"Name": new_name, "Value": new_value})
    if changed:
        request = {"UserPoolId": pool["Id"], "Username": username, "UserAttributes": changed}
        if await page.call("AdminUpdateUserAttributes", request) is None:
            return await _reload(page, pool, username)
    return page.redirect(page.pool_url("/user", username=username), "user_updated")


async def mfa_preference(page: Page) -> Response:
    pool = await load_pool(page)
    username = page.arg("username", 128)
    preferred = page.text("preferred")
    request: dict[str, Any] = {"UserPoolId": pool["Id"], "Username": username}
    for member, factor in (
        ("SoftwareTokenMfaSettings", "TOTP"),
        ("SMSMfaSettings", "SMS"),
        ("EmailMfaSettings", "EMAIL"),
    ):
        request[member] = {"Enabled": page.checked(f"mfa_{factor}"), "PreferredMfa": preferred == factor}
    if await page.call("AdminSetUserMFAPreference", request) is None:
        return await _reload(page, pool, username)
    return page.redirect(page.pool_url("/user", username=username), "mfa_saved")


async def membership(page: Page) -> Response:
    """Add the user to a group, or take them out of one (the button says which)."""
    pool = await load_pool(page)
    username = page.arg("username", 128)
    group, remove = page.text("group"), page.text("remove") == "yes"
    operation = "AdminRemoveUserFromGroup" if remove else "AdminAddUserToGroup"
    request = {"UserPoolId": pool["Id"], "Username": username, "GroupName": group}
    if await page.call(operation, request, {"groupName": "group"}) is None:
        return await _reload(page, pool, username)
    return page.redirect(page.pool_url("/user", username=username), "member_removed" if remove else "member_added")


async def event_feedback(page: Page) -> Response:
    """The operator's Valid or Invalid on one of the user's events; back to the same page of the history."""
    pool = await load_pool(page)
    username = page.arg("username", 128)
    request = {
        "UserPoolId": pool["Id"],
        "Username": username,
        "EventId": page.text("event_id"),
        "FeedbackValue": page.text("value"),
    }
    if await page.call("AdminUpdateAuthEventFeedback", request) is None:
        return await _reload(page, pool, username)
    back = page.pool_url("/user", username=username, **{PAGE_ARG: page.arg(PAGE_ARG, 4096)})
    return page.redirect(back, "feedback_saved")
