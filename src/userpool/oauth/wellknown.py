"""``GET /{poolId}/.well-known/jwks.json`` and ``/openid-configuration``: keys and OIDC discovery under the
issuer URL (Cognito developer guide: 'Verifying JSON web tokens'; OpenID Connect Discovery 1.0). Unauthenticated, CORS
``*``, cacheable."""

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
from userpool.oauth.http import reached_at, request_pool
from userpool.services.tokens.steps.signing_keys import JWKS_MAX_AGE, jwks, openid_configuration

# Vary: Host, because discovery names the endpoints of the host it was fetched from.
_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": f"public, max-age={JWKS_MAX_AGE}", "Vary": "Host"}
# UserPoolIdType in the model: anything else (a NUL from "%00", say) names no pool and is not looked up.
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)


def _not_found(message: str) -> Response:
    return Response(
        orjson.dumps({"error": "ResourceNotFoundException", "message": message}),
        404,
        headers={"Access-Control-Allow-Origin": "*"},
        media_type="application/json",
    )


def _discovery(ctx: Ctx, pool_id: str, base: str) -> dict[str, Any]:
    return openid_configuration(ctx, pool_id, base)


def _keys(ctx: Ctx, pool_id: str, base: str) -> dict[str, Any]:
    del base
    return jwks(ctx, pool_id)


def _document(
    deps: Deps, build: Callable[[Ctx, str, str], dict[str, Any]], on_domain: bool
) -> Callable[[Request], Any]:
    """The document of the pool in the path (issuer URL), or of the pool whose domain the Host names."""

    async def endpoint(request: Request) -> Response:
        ctx = Ctx(deps=deps, request_id=new_request_id(), now=deps.clock.now(), region=deps.settings.region)
        domain = await request_pool(ctx, request)
        if on_domain:
            if domain is None:
                return _not_found("This host is not a user pool domain.")
            pool_id = domain
        else:
            pool_id = str(request.path_params["pool_id"])
        if len(pool_id) > 55 or not _POOL_ID.fullmatch(pool_id):
            return _not_found(f"User pool {pool_id} does not exist.")
        base = reached_at(ctx, request, domain is not None)
        try:
            body = await run_in_threadpool(build, ctx, pool_id, base)
        except ResourceNotFoundException as err:
            # An unknown pool has neither keys nor a discovery document.
            return _not_found(err.message)
        return Response(orjson.dumps(body), 200, headers=_HEADERS, media_type="application/json")

    return endpoint


def routes(deps: Deps) -> list[Route]:
    return [
        Route("/{pool_id}/.well-known/jwks.json", _document(deps, _keys, False), methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", _document(deps, _discovery, False), methods=["GET"]),
        # Copies on a pool's domain (harmless, and some clients look there).
        Route("/.well-known/jwks.json", _document(deps, _keys, True), methods=["GET"]),
        Route("/.well-known/openid-configuration", _document(deps, _discovery, True), methods=["GET"]),
    ]
