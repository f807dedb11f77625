"""``GET /{poolId}/.well-known/jwks.json`` and ``/openid-configuration``: keys and OIDC discovery under the
issuer URL (spec tokens.md §2, §9; oauth-hosted-ui.md §11). Unauthenticated, CORS ``*``, cacheable."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.context import Ctx, Deps
from userpool.errors import ResourceNotFoundException
from userpool.ids import new_request_id
from userpool.services.signing_keys import JWKS_MAX_AGE, jwks, openid_configuration

_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": f"public, max-age={JWKS_MAX_AGE}"}
# UserPoolIdType in the model: anything else (a NUL from "%00", say) names no pool and is not looked up.
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)


def _not_found(message: str) -> Response:
    return Response(
        orjson.dumps({"error": "ResourceNotFoundException", "message": message}),
        404,
        headers={"Access-Control-Allow-Origin": "*"},
        media_type="application/json",
    )


def _document(deps: Deps, build: Callable[[Ctx, str], dict[str, Any]]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        pool_id = str(request.path_params["pool_id"])
        if len(pool_id) > 55 or not _POOL_ID.fullmatch(pool_id):
            return _not_found(f"User pool {pool_id} does not exist.")
        ctx = Ctx(deps=deps, request_id=new_request_id(), now=deps.clock.now(), region=deps.settings.region)
        try:
            body = await run_in_threadpool(build, ctx, pool_id)
        except ResourceNotFoundException as err:
            # An unknown pool has neither keys nor a discovery document.
            return _not_found(err.message)
        return Response(orjson.dumps(body), 200, headers=_HEADERS, media_type="application/json")

    return endpoint


def routes(deps: Deps) -> list[Route]:
    return [
        Route("/{pool_id}/.well-known/jwks.json", _document(deps, jwks), methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", _document(deps, openid_configuration), methods=["GET"]),
    ]
