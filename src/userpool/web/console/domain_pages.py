"""A pool's domain (a prefix or a custom domain) and the branding of its hosted pages, with a preview link
(Create/DeleteUserPoolDomain, Set/GetUICustomization)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import UploadFile
from starlette.responses import Response

from userpool.services.directory.domains import domain_url
from userpool.services.directory.ui_customization import MAX_IMAGE, logo
from userpool.web.console.frame import BadForm, Page
from userpool.web.console.pool_pages import load_pool

ALL_CLIENTS = "ALL"
DOMAIN_FIELDS = {"domain": "domain", "customDomainConfig.certificateArn": "certificate_arn"}
BRANDING_FIELDS = {"cSS": "css", "imageFile": "logo", "clientId": "client_id"}


def _domain_url(page: Page, domain: str) -> str | None:
    """Where a domain's pages are served; None for a prefix under an IP address, which nothing resolves."""
    return domain_url(page.deps.settings, domain)


async def _clients(page: Page, pool_id: str) -> list[dict[str, Any]]:
    listed = await page.call("ListUserPoolClients", {"UserPoolId": pool_id, "MaxResults": 60}) or {}
    found = []
    for summary in listed.get("UserPoolClients", []):
        described = await page.call("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": summary["ClientId"]})
        if described:
            found.append(described["UserPoolClient"])
    return found


def _preview(page: Page, client: dict[str, Any]) -> str | None:
    """The hosted sign-in page of ``client``, as its application would open it (with its first callback
    URL), on the operator's address; None for a client the hosted pages do not serve."""
    flows = client.get("AllowedOAuthFlows", [])
    served = client.get("AllowedOAuthFlowsUserPoolClient") and ("code" in flows or "implicit" in flows)
    if not served or not client.get("CallbackURLs"):
        return None
    query = {
        "client_id": client["ClientId"],
        "response_type": "code" if "code" in flows else "token",
        "scope": " ".join(client.get("AllowedOAuthScopes", [])),
        "redirect_uri": client["CallbackURLs"][0],
    }
    return f"{page.origin}/login?{urlencode(query)}"


async def _page(page: Page, pool: dict[str, Any], values: dict[str, Any] | None = None) -> Response:
    clients = await _clients(page, pool["Id"])
    chosen = page.arg("client", 128) or ALL_CLIENTS
    branding = await page.call(
        "GetUICustomization", {"UserPoolId": pool["Id"], "ClientId": None if chosen == ALL_CLIENTS else chosen}
    )
    current = (branding or {}).get("UICustomization", {})
    previews = [(c["ClientName"], url) for c in clients if (url := _preview(page, c))]
    domain = pool.get("CustomDomain") or pool.get("Domain")
    return await page.render(
        "domain.html",
        pool=pool,
        domain=domain,
        domain_url=_domain_url(page, domain) if domain else None,
        sign_in=previews[0] if previews else None,
        domain_suffix=page.deps.settings.auth_domain_suffix or urlsplit(page.deps.settings.base_url).hostname,
        branding=current,
        chosen=chosen,
        client_choices=[(ALL_CLIENTS, "Every app client (pool default)")]
        + [(c["ClientId"], c["ClientName"]) for c in clients],
        previews=previews,
        values=values if values is not None else {"css": current.get("CSS", ""), "client_id": chosen},
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Domain & branding", None)],
    )


async def domain(page: Page) -> Response:
    pool = await load_pool(page)
    if page.request.method == "GET":
        return await _page(page, pool)
    name = page.text("domain")
    request: dict[str, Any] = {"UserPoolId": pool["Id"], "Domain": name}
    if page.text("kind") == "custom":
        request["CustomDomainConfig"] = {"CertificateArn": page.text("certificate_arn")}
    if await page.call("CreateUserPoolDomain", request, DOMAIN_FIELDS) is None:
        return await _page(page, pool, {"domain": name, "kind": page.text("kind"), "css": ""})
    return page.redirect(page.pool_url("/domain"), "domain_created")


async def delete_domain(page: Page) -> Response:
    pool = await load_pool(page)
    name = pool.get("CustomDomain") or pool.get("Domain")
    if not name:
        return page.redirect(page.pool_url("/domain"))
    if page.request.method == "POST":
        if await page.call("DeleteUserPoolDomain", {"UserPoolId": pool["Id"], "Domain": name}) is not None:
            return page.redirect(page.pool_url("/domain"), "domain_deleted")
    return await page.render(
        "confirm.html",
        pool=pool,
        title=f"Delete the domain {name}",
        question=f"Stop serving the sign-in pages of {pool['Name']} at {name}?",
        detail="Applications that send users there get an error until a domain is set again.",
        confirm_label="Delete domain",
        danger=True,
        action=page.pool_url("/domain/delete"),
        back=page.pool_url("/domain"),
        crumbs=[("User pools", page.url("/")), (pool["Name"], page.pool_url()), ("Domain & branding", None)],
    )


async def _logo_file(page: Page) -> bytes | None:
    upload = page.form.get("logo") if page.form is not None else None
    if upload is None or isinstance(upload, str):
        return None
    if not isinstance(upload, UploadFile):
        raise BadForm("logo")
    data = await upload.read(MAX_IMAGE + 1)
    return data or None


async def branding(page: Page) -> Response:
    pool = await load_pool(page)
    client_id = page.text("client_id") or ALL_CLIENTS
    image = await _logo_file(page)
    if image is None and not page.checked("remove_logo"):
        kept = await page.run(logo, pool["Id"], client_id)
        image = kept[0] if kept else None
    request = {
        "UserPoolId": pool["Id"],
        "ClientId": client_id,
        "CSS": page.raw("css") or None,
        "ImageFile": base64.b64encode(image).decode() if image else None,
    }
    if await page.call("SetUICustomization", request, BRANDING_FIELDS) is None:
        return await _page(page, pool, {"css": page.raw("css"), "client_id": client_id})
    return page.redirect(page.pool_url("/domain", client=client_id), "branding_saved")
