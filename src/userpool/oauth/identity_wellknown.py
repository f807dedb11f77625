"""``GET /identity/.well-known/openid-configuration`` and ``/jwks.json``: discovery and keys of the identity pools'
OpenID tokens, under their issuer URL, so that an IAM OpenID Connect provider (or any relying party) can verify
them (services/identity_pools/steps/openid_tokens.py). Unauthenticated, CORS ``*``, cacheable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.context import Ctx, Deps
from userpool.ids import new_request_id
from userpool.services.identity_pools.steps.openid_tokens import (
    JWKS_MAX_AGE,
    jwks,
    openid_configuration,
    well_known_path,
)

_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": f"public, max-age={JWKS_MAX_AGE}"}
# Where the documents are served: /identity, the issuer's path by default; the issuer's own path too when the
# settings name another issuer with a path of its own (an issuer without one is served through a proxy).
DEFAULT_PATH = "/identity"


def _document(deps: Deps, build: Callable[[Ctx], dict[str, Any]]) -> Callable[[Request], Any]:
    async def endpoint(_: Request) -> Response:
        ctx = Ctx(deps=deps, request_id=new_request_id(), now=deps.clock.now(), region=deps.settings.region)
        body = await run_in_threadpool(build, ctx)
        return Response(orjson.dumps(body), 200, headers=_HEADERS, media_type="application/json")

    return endpoint


def routes(deps: Deps) -> list[Route]:
    ctx = Ctx(deps=deps, request_id="routes", now=0.0, region=deps.settings.region)
    paths = dict.fromkeys([DEFAULT_PATH, well_known_path(ctx) or DEFAULT_PATH])
    found = []
    for path in paths:
        found.append(Route(f"{path}/.well-known/openid-configuration", _document(deps, openid_configuration)))
        found.append(Route(f"{path}/.well-known/jwks.json", _document(deps, jwks)))
    return found
