"""User pools: the list, the creation wizard, the overview (id, ARN, issuer, discovery and JWKS URLs), the
edit form and deletion, which DeletionProtection may refuse (CreateUserPool, DescribeUserPool,
UpdateUserPool, SetUserPoolMfaConfig, DeleteUserPool)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.services.tokens.steps.signing_keys import issuer
from userpool.web.console import pool_forms as pf
from userpool.web.console.frame import Page

PAGE_SIZE = 60


async def load_pool(page: Page) -> dict[str, Any]:
    """The pool of the URL, as DescribeUserPool shows it (a missing pool ends the page with a 404)."""
    found = await page.fetch("DescribeUserPool", {"UserPoolId": page.pool_id})
    return dict(found["UserPool"])


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("User pools", page.url("/")), (pool["Name"], page.pool_url()), *more]


async def pools(page: Page) -> Response:
    token = page.arg("next")
    found = await page.call("ListUserPools", {"MaxResults": PAGE_SIZE, "NextToken": token or None})
    listing = found or {"UserPools": []}
    return await page.render(
        "pools.html",
        pools=listing["UserPools"],
        next_token=listing.get("NextToken"),
        first_page=not token,
    )


async def _wizard(page: Page, values: dict[str, Any], status: int = 200) -> Response:
    return await page.render(
        "pool_new.html",
        status,
        values=values,
        crumbs=[("User pools", page.url("/")), ("Create user pool", None)],
        f=pf,
    )


async def new_pool(page: Page) -> Response:
    if page.request.method == "GET":
        return await _wizard(page, pf.new_pool_values())
    values = pf.echo(page, pf.POOL_MULTI, pf.POOL_FLAGS)
    request = pf.create_request(page)
    mfa = pf.mfa_request(page)
    if page.errors:
        return await _wizard(page, values, 400)
    created = await page.call("CreateUserPool", request, pf.FIELDS)
    if created is None:
        return await _wizard(page, values, 400)
    pool_id = created["UserPool"]["Id"]
    if mfa is not None and (mfa["MfaConfiguration"] != "OFF" or "WebAuthnConfiguration" in mfa):
        mfa["UserPoolId"] = pool_id
        if await page.call("SetUserPoolMfaConfig", mfa, {"mfaConfiguration": "mfa"}) is None:
            # The pool exists; its MFA could not be set. Say so on its edit page rather than lose the pool.
            page.chosen_pool = pool_id
            return await _edit_form(page, await load_pool(page), values, 400)
    return page.redirect(page.url(f"/pools/{pool_id}"), "pool_created")


async def overview(page: Page) -> Response:
    pool = await load_pool(page)
    iss = issuer(page.deps.settings, pool["Id"])
    mfa = await page.call("GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]}) or {}
    schema = pool.get("SchemaAttributes", [])
    return await page.render(
        "pool.html",
        pool=pool,
        mfa=mfa,
        issuer=iss,
        discovery=f"{iss}/.well-known/openid-configuration",
        jwks=f"{iss}/.well-known/jwks.json",
        required=[a["Name"] for a in schema if a.get("Required") and a["Name"] != "sub"],
        custom=[a for a in schema if a["Name"].startswith("custom:")],
        crumbs=[("User pools", page.url("/")), (pool["Name"], None)],
    )


async def _edit_form(page: Page, pool: dict[str, Any], values: dict[str, Any], status: int = 200) -> Response:
    return await page.render(
        "pool_edit.html",
        status,
        pool=pool,
        values=values,
        f=pf,
        crumbs=_crumbs(page, pool, ("Edit", None)),
    )


async def edit_pool(page: Page) -> Response:
    pool = await load_pool(page)
    mfa = await page.call("GetUserPoolMfaConfig", {"UserPoolId": pool["Id"]}) or {}
    if page.request.method == "GET":
        return await _edit_form(page, pool, pf.form_values(pool, mfa))
    values = pf.echo(page, pf.POOL_MULTI, pf.POOL_FLAGS)
    request = pf.update_request(pool, page)
    mfa_request = pf.mfa_request(page, mfa.get("WebAuthnConfiguration"))
    if page.errors or mfa_request is None:
        return await _edit_form(page, pool, values, 400)
    if await page.call("UpdateUserPool", request, pf.FIELDS) is None:
        return await _edit_form(page, pool, values, 400)
    mfa_request["UserPoolId"] = pool["Id"]
    if await page.call("SetUserPoolMfaConfig", mfa_request, {"mfaConfiguration": "mfa"}) is None:
        return await _edit_form(page, await load_pool(page), values, 400)
    return page.redirect(page.pool_url(), "pool_updated")


async def delete_pool(page: Page) -> Response:
    pool = await load_pool(page)
    protected = pool.get("DeletionProtection") == "ACTIVE"
    if page.request.method == "POST" and await page.call("DeleteUserPool", {"UserPoolId": pool["Id"]}) is not None:
        return page.redirect(page.url("/"), "pool_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete {pool['Name']}",
        question=f"Delete the user pool {pool['Name']} ({pool['Id']}) with all its users, groups and app clients?",
        detail="Deletion protection is active: turn it off on the edit page first."
        if protected
        else "This cannot be undone.",
        confirm_label="Delete user pool",
        danger=True,
        action=page.pool_url("/delete"),
        back=page.pool_url(),
        crumbs=_crumbs(page, pool, ("Delete", None)),
    )
