"""Identity pools: the list, creation, the overview (settings, roles and role mappings, identities, the OpenID
token issuer an IAM OIDC provider trusts), the settings form, the roles form and deletion (CreateIdentityPool,
ListIdentityPools, DescribeIdentityPool, UpdateIdentityPool, GetIdentityPoolRoles, SetIdentityPoolRoles,
ListIdentities, DeleteIdentityPool), each through the same operations as the API."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.web.console import identity_pool_forms as f
from userpool.web.console.frame import Page

PAGE_SIZE = 60
LIST = "/identity-pools"


def _pool_url(page: Page, pool_id: str, sub: str = "") -> str:
    return page.url(f"{LIST}/{pool_id}{sub}")


def _crumbs(page: Page, pool: dict[str, Any] | None, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [("Identity pools", page.url(LIST))]
    if pool is not None:
        found.append((pool["IdentityPoolName"], _pool_url(page, pool["IdentityPoolId"])))
    return found + list(more)


async def _load(page: Page) -> dict[str, Any]:
    """The identity pool of the URL, as DescribeIdentityPool shows it (a missing one ends the page with a 404)."""
    pool_id = str(page.request.path_params["identity_pool_id"])
    found = await page.fetch(f.operation("DescribeIdentityPool"), {"IdentityPoolId": pool_id})
    return {k: v for k, v in found.items() if k != "ResponseMetadata"}


async def _user_pool_providers(page: Page) -> list[str]:
    """The provider names of this server's user pools, offered in the provider rows."""
    found = await page.call("ListUserPools", {"MaxResults": PAGE_SIZE}) or {"UserPools": []}
    return [f"cognito-idp.{p['Id'].split('_', 1)[0]}.amazonaws.com/{p['Id']}" for p in found["UserPools"]]


async def identity_pools(page: Page) -> Response:
    token = page.arg("next")
    found = await page.call(f.operation("ListIdentityPools"), {"MaxResults": PAGE_SIZE, "NextToken": token or None})
    listing = found or {"IdentityPools": []}
    return await page.render(
        "identity_pools.html",
        identity_pools=listing["IdentityPools"],
        next_token=listing.get("NextToken"),
        first_page=not token,
        crumbs=[("Identity pools", None)],
    )


async def _settings_form(
    page: Page, pool: dict[str, Any] | None, values: dict[str, Any], status: int = 200
) -> Response:
    return await page.render(
        "identity_pool_form.html",
        status,
        ipool=pool,
        values=values,
        rows=f.provider_rows(values),
        user_pool_providers=await _user_pool_providers(page),
        action=_pool_url(page, pool["IdentityPoolId"], "/edit") if pool else page.url(f"{LIST}/new"),
        crumbs=_crumbs(page, pool, ("Edit" if pool else "Create identity pool", None)),
    )


async def new_identity_pool(page: Page) -> Response:
    if page.request.method == "GET":
        return await _settings_form(page, None, f.pool_values(None))
    request = f.pool_request(page)
    if not page.errors:
        created = await page.call(f.operation("CreateIdentityPool"), request, f.FIELDS)
        if created is not None:
            return page.redirect(_pool_url(page, created["IdentityPoolId"]), "identity_pool_created")
    return await _settings_form(page, None, f.echo(page), 400)


async def edit_identity_pool(page: Page) -> Response:
    pool = await _load(page)
    if page.request.method == "GET":
        return await _settings_form(page, pool, f.pool_values(pool))
    request = {"IdentityPoolId": pool["IdentityPoolId"], **f.pool_request(page)}
    if not page.errors and await page.call(f.operation("UpdateIdentityPool"), request, f.FIELDS) is not None:
        return page.redirect(_pool_url(page, pool["IdentityPoolId"]), "identity_pool_updated")
    return await _settings_form(page, pool, f.echo(page), 400)


async def identity_pool(page: Page) -> Response:
    pool = await _load(page)
    pool_id = pool["IdentityPoolId"]
    roles = await page.fetch(f.operation("GetIdentityPoolRoles"), {"IdentityPoolId": pool_id})
    token = page.arg("next")
    listed = await page.call(
        f.operation("ListIdentities"), {"IdentityPoolId": pool_id, "MaxResults": PAGE_SIZE, "NextToken": token or None}
    )
    issuer = page.deps.settings.identity_issuer
    return await page.render(
        "identity_pool.html",
        ipool=pool,
        roles=roles.get("Roles", {}),
        mappings=roles.get("RoleMappings", {}),
        identities=(listed or {}).get("Identities", []),
        next_token=(listed or {}).get("NextToken"),
        first_page=not token,
        issuer=issuer,
        discovery=f"{issuer}/.well-known/openid-configuration",
        jwks=f"{issuer}/.well-known/jwks.json",
        here=_pool_url(page, pool_id),
        crumbs=_crumbs(page, None, (pool["IdentityPoolName"], None)),
    )


async def _roles_form(
    page: Page, pool: dict[str, Any], keys: list[str], values: dict[str, Any], status: int = 200
) -> Response:
    return await page.render(
        "identity_pool_roles.html",
        status,
        ipool=pool,
        keys=keys,
        values=values,
        f=f,
        action=_pool_url(page, pool["IdentityPoolId"], "/roles"),
        crumbs=_crumbs(page, pool, ("Roles", None)),
    )


async def identity_pool_roles(page: Page) -> Response:
    pool = await _load(page)
    keys = f.mapping_keys(pool)
    if page.request.method == "GET":
        roles = await page.fetch(f.operation("GetIdentityPoolRoles"), {"IdentityPoolId": pool["IdentityPoolId"]})
        return await _roles_form(page, pool, keys, f.roles_values(roles, keys))
    request = {"IdentityPoolId": pool["IdentityPoolId"], **f.roles_request(page, keys)}
    if await page.call(f.operation("SetIdentityPoolRoles"), request, f.ROLE_FIELDS) is not None:
        return page.redirect(_pool_url(page, pool["IdentityPoolId"]), "identity_roles_saved")
    return await _roles_form(page, pool, keys, f.roles_echo(page, keys), 400)


async def delete_identity_pool(page: Page) -> Response:
    pool = await _load(page)
    pool_id = pool["IdentityPoolId"]
    if page.request.method == "POST":
        if await page.call(f.operation("DeleteIdentityPool"), {"IdentityPoolId": pool_id}) is not None:
            return page.redirect(page.url(LIST), "identity_pool_deleted")
    return await page.render(
        "confirm.html",
        title=f"Delete {pool['IdentityPoolName']}",
        question=f"Delete the identity pool {pool['IdentityPoolName']} ({pool_id}) with all its identities?",
        detail="Its users get new identities if it is made again. This cannot be undone.",
        confirm_label="Delete identity pool",
        danger=True,
        action=_pool_url(page, pool_id, "/delete"),
        back=_pool_url(page, pool_id),
        crumbs=_crumbs(page, pool, ("Delete", None)),
    )
