"""The pages' style sheet, a pool's or client's customization (CSS and logo, SetUICustomization), and the
``/error`` page that AWS sends browsers to for requests it will not redirect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.context import Deps
from userpool.services.directory.ui_customization import effective_customization, logo
from userpool.web.login.journey import error_page, make_ctx
from userpool.web.stylesheets import with_tokens

STYLESHEET = Path(__file__).parent / "static" / "login.css"
_ASSET_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
_MAX_ID = 128


def _ids(request: Request) -> tuple[str, str] | None:
    pool_id = request.query_params.get("pool", "")
    client_id = request.query_params.get("client", "")
    if not pool_id or len(pool_id) > 55 or len(client_id) > _MAX_ID or "\x00" in pool_id + client_id:
        return None
    return pool_id, client_id


def make_stylesheet() -> Any:
    css = with_tokens(STYLESHEET)

    async def stylesheet(_: Request) -> Response:
        return Response(css, headers=_ASSET_HEADERS, media_type="text/css")

    return stylesheet


def make_custom_css(deps: Deps) -> Any:
    async def custom_css(request: Request) -> Response:
        ids = _ids(request)
        if ids is None:
            return Response("", 404, media_type="text/css")
        found = await run_in_threadpool(effective_customization, make_ctx(deps, request), ids[0], ids[1] or None)
        # Checked when it was stored (services/directory/ui_customization.py): rules of the customizable classes only.
        return Response((found.css or "") if found else "", headers=_ASSET_HEADERS, media_type="text/css")

    return custom_css


def make_logo(deps: Deps) -> Any:
    async def logo_image(request: Request) -> Response:
        ids = _ids(request)
        found = await run_in_threadpool(logo, make_ctx(deps, request), ids[0], ids[1]) if ids else None
        if found is None:
            return Response(b"", 404)
        image, media_type = found
        return Response(image, headers=_ASSET_HEADERS, media_type=media_type)

    return logo_image


def make_error(deps: Deps) -> Any:
    async def error(request: Request) -> Response:
        return error_page(deps, request, request.query_params.get("error", "generic"))

    return error
