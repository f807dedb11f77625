"""SetUICustomization and GetUICustomization: the CSS and logo of a pool's hosted pages, for the whole pool
(``ClientId`` omitted, echoed as ``ALL``) or for one app client, which then replaces the pool's.

The CSS is held to Cognito's rule for the classic hosted UI, and to nothing that could load or run anything
(model/branding_css.py). Logos are PNG or JPEG of at most 100 KB, as on AWS.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from userpool.context import Ctx
from userpool.errors import InvalidParameterException
from userpool.model.branding_css import check_css
from userpool.model.oauth_records import ALL_CLIENTS, UICustomization
from userpool.services.lookup.records import client_or_404, pool_or_404

MAX_IMAGE = 100 * 1024
_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True, slots=True)
class Branding:
    """What a hosted page shows for a pool and client: its CSS, and the client id of the customization whose
    logo it shows (``ALL`` for the pool's), if any."""

    css: str
    version: str
    logo_client: str | None


def _image(raw: Any) -> tuple[bytes, str]:
    try:
        data = raw if isinstance(raw, bytes) else base64.b64decode(str(raw), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterException("ImageFile must be base64 data.") from None
    if len(data) > MAX_IMAGE:
        raise InvalidParameterException("ImageFile must be at most 100 KB.")
    for magic, media_type in _IMAGE_TYPES:
        if data.startswith(magic):
            return data, media_type
    raise InvalidParameterException("ImageFile must be a PNG or JPEG image.")


def logo_url(ctx: Ctx, customization: UICustomization) -> str:
    query = urlencode({"pool": customization.pool_id, "client": customization.client_id, "v": customization.version})
    return f"{ctx.settings.base_url}/ui/logo?{query}"


def _wire(ctx: Ctx, customization: UICustomization) -> dict[str, Any]:
    body: dict[str, Any] = {"UserPoolId": customization.pool_id, "ClientId": customization.client_id}
    if customization.image is not None:
        body["ImageUrl"] = logo_url(ctx, customization)
    if customization.css is not None:
        body["CSS"] = customization.css
    body.update(
        {
            "CSSVersion": customization.version,
            "LastModifiedDate": customization.updated_at,
            "CreationDate": customization.created_at,
        }
    )
    return body


def set_ui_customization(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Store the CSS and logo of the pool's hosted pages, or of one client's: SetUICustomization."""
    css = check_css(req["CSS"]) if req.get("CSS") is not None else None
    image = _image(req["ImageFile"]) if req.get("ImageFile") is not None else None
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        client_id = req.get("ClientId") or ALL_CLIENTS
        if client_id != ALL_CLIENTS:
            client_or_404(tx, pool.id, client_id)
        existing = tx.ui_customizations.get(pool.id, client_id)
        customization = UICustomization(
            pool_id=pool.id,
            client_id=client_id,
            css=css,
            image=image[0] if image else None,
            image_type=image[1] if image else None,
            version=str(int(ctx.now * 1000)),
            created_at=existing.created_at if existing else ctx.now,
            updated_at=ctx.now,
        )
        tx.ui_customizations.put(customization)
    return {"UICustomization": _wire(ctx, customization)}


def effective_customization(ctx: Ctx, pool_id: str, client_id: str | None) -> UICustomization | None:
    """The client's customization, else the pool's; None when neither was set."""
    with ctx.store.read() as tx:
        found = tx.ui_customizations.get(pool_id, client_id) if client_id else None
        return found or tx.ui_customizations.get(pool_id, ALL_CLIENTS)


def get_ui_customization(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The customization a client's pages use (its own, else the pool's): GetUICustomization."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        client_id = req.get("ClientId")
        if client_id:
            client_or_404(tx, pool.id, client_id)
    found = effective_customization(ctx, pool.id, client_id)
    if found is None:
        return {"UICustomization": {"UserPoolId": pool.id, "ClientId": client_id or ALL_CLIENTS}}
    return {"UICustomization": _wire(ctx, found)}


def branding(ctx: Ctx, pool_id: str, client_id: str | None) -> Branding:
    """The CSS and logo version the hosted pages of ``client_id`` show."""
    found = effective_customization(ctx, pool_id, client_id)
    if found is None:
        return Branding("", "", None)
    return Branding(found.css or "", found.version, found.client_id if found.image is not None else None)


def logo(ctx: Ctx, pool_id: str, client_id: str) -> tuple[bytes, str] | None:
    """(image, media type) of a customization's logo."""
    with ctx.store.read() as tx:
        found = tx.ui_customizations.get(pool_id, client_id)
    if found is None or found.image is None or found.image_type is None:
        return None
    return found.image, found.image_type
