"""Resource servers and their scopes, the pool's triggers (each Lambda ARN and where this server runs it),
signing keys (list, rotate) and the outbox of outgoing messages (CreateResourceServer, ListResourceServers,
DeleteResourceServer; ``userpool keys rotate``; ``userpool outbox``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from userpool.services.console.server_state import recent_messages, signing_key_rows
from userpool.services.tokens.steps.signing_keys import rotate_signing_keys
from userpool.triggers.targets import is_webhook, target_for
from userpool.web.console.frame import Page
from userpool.web.console.pool_pages import load_pool

SERVER_FIELDS = {"identifier": "identifier", "name": "name", "scopes": "scopes"}
OUTBOX_SIZE = 50


def _crumbs(page: Page, pool: dict[str, Any], title: str) -> list[tuple[str, str | None]]:
    return [("User pools", page.url("/")), (pool["Name"], page.pool_url()), (title, None)]


def _scopes(text: str) -> list[dict[str, str]]:
    """``name: description`` per line."""
    found = []
    for line in text.splitlines():
        name, _, description = line.partition(":")
        if name.strip():
            found.append({"ScopeName": name.strip(), "ScopeDescription": description.strip() or name.strip()})
    return found


async def resource_servers(page: Page) -> Response:
    pool = await load_pool(page)
    values: dict[str, Any] = {}
    if page.request.method == "POST":
        request = {
            "UserPoolId": pool["Id"],
            "Identifier": page.text("identifier"),
            "Name": page.text("name"),
            "Scopes": _scopes(page.raw("scopes")) or None,
        }
        if await page.call("CreateResourceServer", request, SERVER_FIELDS) is not None:
            return page.redirect(page.pool_url("/resource-servers"), "server_created")
        values = {k: page.raw(k) for k in ("identifier", "name", "scopes")}
    found = await page.call("ListResourceServers", {"UserPoolId": pool["Id"], "MaxResults": 50})
    return await page.render(
        "resource_servers.html",
        pool=pool,
        servers=(found or {}).get("ResourceServers", []),
        values=values,
        crumbs=_crumbs(page, pool, "Resource servers"),
    )


async def delete_resource_server(page: Page) -> Response:
    pool = await load_pool(page)
    identifier = page.arg("identifier", 256)
    if page.request.method == "POST":
        done = await page.call("DeleteResourceServer", {"UserPoolId": pool["Id"], "Identifier": identifier})
        if done is not None:
            return page.redirect(page.pool_url("/resource-servers"), "server_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title="Delete resource server",
        question=f"Delete the resource server {identifier} and its scopes?",
        detail="App clients lose these scopes.",
        confirm_label="Delete resource server",
        danger=True,
        action=page.pool_url("/resource-servers/delete", identifier=identifier),
        back=page.pool_url("/resource-servers"),
        crumbs=_crumbs(page, pool, "Resource servers"),
    )


def _trigger_rows(page: Page, lambda_config: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for trigger, arn in lambda_config.items():
        if isinstance(arn, dict):  # CustomEmailSender / CustomSMSSender / PreTokenGenerationConfig
            arn = arn.get("LambdaArn", "")
        if not isinstance(arn, str):
            continue
        target = target_for(page.deps.settings, arn)
        rows.append(
            {
                "trigger": trigger,
                "arn": arn,
                "target": target.target if target else "",
                "kind": ("webhook" if is_webhook(target) else "Python function") if target else "",
            }
        )
    return rows


async def triggers(page: Page) -> Response:
    pool = await load_pool(page)
    return await page.render(
        "triggers.html",
        pool=pool,
        rows=_trigger_rows(page, pool.get("LambdaConfig", {})),
        crumbs=_crumbs(page, pool, "Triggers"),
    )


async def signing_keys(page: Page) -> Response:
    pool = await load_pool(page)
    if page.request.method == "POST":
        await page.run(rotate_signing_keys, pool["Id"])
        return page.redirect(page.pool_url("/keys"), "keys_rotated")
    keys = await page.run(signing_key_rows, pool["Id"])
    return await page.render("keys.html", pool=pool, keys=keys, crumbs=_crumbs(page, pool, "Signing keys"))


async def outbox(page: Page) -> Response:
    messages = await page.run(recent_messages, OUTBOX_SIZE)
    return await page.render("outbox.html", messages=messages, crumbs=[("Outgoing messages", None)])
