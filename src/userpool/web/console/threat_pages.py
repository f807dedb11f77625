"""A pool's Threat protection page: the mode and feature plan (UpdateUserPool's UserPoolAddOns and
UserPoolTier, sent with the rest of the pool as it is), and the risk configuration of the pool or of one app
client (DescribeRiskConfiguration, SetRiskConfiguration): compromised credentials, adaptive authentication's
responses per risk level, the notification mail and its templates, and the IP ranges always blocked or never
assessed (Cognito developer guide: 'Advanced security with threat protection')."""

from __future__ import annotations

import copy
import logging
from typing import Any

from starlette.responses import Response

from userpool.errors import CognitoError
from userpool.model.risk_configuration import ALL_CLIENTS, CONFIG_MEMBERS
from userpool.model.risk_notifications import DEFAULTS
from userpool.web.console import threat_forms as tf
from userpool.web.console.frame import Page
from userpool.web.console.pool_forms import echo, unchanged_update
from userpool.web.console.pool_pages import load_pool

log = logging.getLogger("userpool.console")
# The app clients offered in the selector; any other is reached from its own page (?client=).
_CLIENT_CHOICES = 60


def _crumbs(page: Page, pool: dict[str, Any], client: dict[str, Any] | None) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [("User pools", page.url("/")), (pool["Name"], page.pool_url())]
    if client is None:
        return [*found, ("Threat protection", None)]
    return [*found, ("Threat protection", page.pool_url("/threat-protection")), (client["ClientName"], None)]


async def _client(page: Page, pool: dict[str, Any]) -> dict[str, Any] | None:
    """The app client the page is about (``?client=``), None for the pool; a missing one ends the page (404)."""
    client_id = page.arg("client", 128)
    if not client_id or client_id == ALL_CLIENTS:
        return None
    found = await page.fetch("DescribeUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": client_id})
    return dict(found["UserPoolClient"])


def _target(pool: dict[str, Any], client: dict[str, Any] | None) -> dict[str, Any]:
    return {"UserPoolId": pool["Id"], "ClientId": client["ClientId"] if client else None}


async def _render(
    page: Page,
    pool: dict[str, Any],
    client: dict[str, Any] | None,
    config: dict[str, Any],
    values: dict[str, Any],
    status: int = 200,
) -> Response:
    listed = await page.call("ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": _CLIENT_CHOICES}) or {}
    return await page.render(
        "threat_protection.html",
        status,
        pool=pool,
        client=client,
        own=client is not None and config.get("ClientId") == client["ClientId"],
        mode=tf.mode_values(pool)["mode"],
        clients=[(c["ClientId"], c["ClientName"]) for c in listed.get("UserPoolClients", [])],
        values=values,
        # What the notice mail says while a template is unset (model/risk_notifications.py).
        defaults=DEFAULTS,
        f=tf,
        action=page.pool_url("/threat-protection", client=client["ClientId"] if client else ""),
        crumbs=_crumbs(page, pool, client),
    )


async def _restore(page: Page, target: dict[str, Any], before: dict[str, Any]) -> None:
    """Put back the configuration ``before`` (DescribeRiskConfiguration's) after a later step was refused, so
    that a refused save changes nothing. It was accepted once; should it fail now, the page still shows the
    refusal that matters, and the log says the configuration stayed changed."""
    members = {k: copy.deepcopy(before[k]) for k in CONFIG_MEMBERS if k in before}
    try:
        await page.fetch("SetRiskConfiguration", {**target, **members})
    except CognitoError as err:
        log.warning("risk configuration of %s not restored: %s", target["UserPoolId"], err.code)


async def threat_protection(page: Page) -> Response:
    pool = await load_pool(page)
    client = await _client(page, pool)
    target = _target(pool, client)
    described = await page.fetch("DescribeRiskConfiguration", target)
    config = dict(described["RiskConfiguration"])
    if page.request.method == "GET":
        return await _render(page, pool, client, config, {**tf.form_values(config), **tf.mode_values(pool)})
    back = page.pool_url("/threat-protection", client=client["ClientId"] if client else "")
    if client is not None and page.text("scope") != "own":
        # The client follows the pool's configuration: a request that sets nothing resets the client's.
        if await page.call("SetRiskConfiguration", target) is None:
            return await _render(page, pool, client, config, echo(page, tf.MULTI, tf.FLAGS), 400)
        return page.redirect(back, "risk_reset")
    values = echo(page, tf.MULTI, tf.FLAGS)
    request = tf.risk_request(page)
    if page.errors or await page.call("SetRiskConfiguration", {**target, **request}, tf.FIELDS) is None:
        tf.place_errors(page)
        return await _render(page, pool, client, config, values, 400)
    if client is None:
        current = pool.get("UserPoolAddOns") or {"AdvancedSecurityMode": "OFF"}
        add_ons = tf.add_ons(page, current)
        tier = page.text("tier") or pool.get("UserPoolTier", "ESSENTIALS")
        if add_ons != current or tier != pool.get("UserPoolTier"):
            update = {**unchanged_update(pool), "UserPoolAddOns": add_ons, "UserPoolTier": tier}
            if await page.call("UpdateUserPool", update, tf.FIELDS) is None:
                await _restore(page, target, config)
                tf.place_errors(page)
                return await _render(page, pool, client, config, values, 400)
    return page.redirect(back, "risk_saved")
