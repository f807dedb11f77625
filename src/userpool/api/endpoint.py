"""POST / : the AWS JSON 1.1 endpoint of the Cognito Identity Provider API (user pools) and of the Cognito Identity
API (identity pools) (docs/architecture.md, "A signed API call, end to end").

target -> service and operation -> signature (unless the model says ``authtype: none``, or the operation is one an
app client's secret may authorize instead: api/service_model.py) -> JSON -> model validation -> service function in
a worker thread -> JSON. This module is the one place that turns errors into
AWS's wire format.

The quickest reads (services/registry.py QUICK_READS) skip the worker thread where the store's reads never wait
(SQLite): a hop there and back costs ~50 µs of CPU, a quarter of GetUser's, and such a read takes less time than
the hop. They run on the event loop with a store that refuses writes, so that none of them can come to wait on a
writer's lock there (docs/architecture.md, Hot-path rules).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from time import perf_counter
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from userpool.api import shapes, sigv4
from userpool.api.service_model import COGNITO_IDENTITY, COGNITO_IDP, ApiModel
from userpool.context import Ctx, Deps
from userpool.errors import (
    CognitoError,
    InternalErrorException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from userpool.ids import new_request_id
from userpool.monitoring.logs import REQUEST_ID
from userpool.monitoring.port import SERVER_ERROR, SUCCESS, UNKNOWN_OPERATION
from userpool.services.registry import QUICK_READS, Service
from userpool.store.base import Store, Tx

log = logging.getLogger("userpool.api")
CONTENT_TYPE = "application/x-amz-json-1.1"
# The largest body the model allows: SetUICustomization with 131,072 characters of CSS, each of which boto3 may
# write as a 12-byte \u escape pair, and a 100 KB logo in base64 comes to about 1.7 MB. Larger bodies are
# refused before they are read (body_limits.py).
MAX_BODY = 2 * 1024 * 1024
# Levels of nesting allowed beyond the deepest input shape (4), for unknown members, which are ignored; a body
# nested deeper is refused before anything recurses through it (Python's recursion limit is ~1,000 frames).
NESTING_MARGIN = 4

CORS_ALLOW_HEADERS = (
    "content-type, x-amz-target, x-amz-user-agent, cache-control, amz-sdk-invocation-id, amz-sdk-request, "
    "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256"
)
CORS_EXPOSE_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"


@dataclass(frozen=True, slots=True)
class ApiConfig:
    deps: Deps
    # cognito-idp's operations (user pools).
    table: dict[str, Service]
    secret_for: Callable[[str], str | None]
    # cognito-identity's operations (identity pools), answered on the same endpoint.
    identity_table: dict[str, Service] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Api:
    """One service the endpoint answers: its model and its table of implemented operations."""

    model: ApiModel
    table: dict[str, Service]


class _ReadsOnly:
    """The store of an operation run on the event loop: its reads, and no write, which could wait there for
    another transaction's lock (SQLite's writers take turns)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def reads_wait(self) -> bool:
        return self._store.reads_wait

    def read(self) -> AbstractContextManager[Tx]:
        return self._store.read()

    def write(self) -> AbstractContextManager[Tx]:
        raise RuntimeError("an operation run on the event loop (QUICK_READS) may not write")


@dataclass(frozen=True, slots=True)
class _Inline:
    """What runs on the event loop: which operations, and the dependencies they get (a store without writes)."""

    operations: frozenset[str]
    deps: Deps


def _inline(config: ApiConfig) -> _Inline:
    deps = config.deps
    if deps.store.reads_wait:
        return _Inline(frozenset(), deps)
    return _Inline(QUICK_READS, replace(deps, store=_ReadsOnly(deps.store)))


def _apis(config: ApiConfig) -> dict[str, _Api]:
    """The services by X-Amz-Target prefix (the part before the dot)."""
    return {
        COGNITO_IDP.target_prefix.rstrip("."): _Api(COGNITO_IDP, config.table),
        COGNITO_IDENTITY.target_prefix.rstrip("."): _Api(COGNITO_IDENTITY, config.identity_table),
    }


def _cors(deps: Deps) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": deps.settings.cors_allow_origin,
        "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
    }


def _error(deps: Deps, request_id: str, err: CognitoError, status: int | None = None) -> Response:
    headers = {
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": f"{err.code}:",
        **_cors(deps),
    }
    if deps.settings.dev:
        headers["x-local-auth"] = "disabled"
    return Response(orjson.dumps(err.to_wire()), status or err.status, headers=headers, media_type=CONTENT_TYPE)


def too_large(deps: Deps) -> Callable[[], Response]:
    """The answer to a body beyond MAX_BODY: Cognito's error shape, with HTTP's status for it (413)."""
    return lambda: _error(deps, new_request_id(), SerializationException("Request body is too large."), 413)


def _ok(deps: Deps, request_id: str, body: dict[str, Any]) -> Response:
    headers = {"x-amzn-RequestId": request_id, **_cors(deps)}
    if deps.settings.dev:
        headers["x-local-auth"] = "disabled"
    return Response(orjson.dumps(body), 200, headers=headers, media_type=CONTENT_TYPE)


def _operation(apis: dict[str, _Api], request: Request) -> tuple[_Api, str]:
    """The service and operation X-Amz-Target names (``AWSCognitoIdentityService.GetId``)."""
    target = request.headers.get("x-amz-target", "")
    prefix, _, name = target.partition(".")
    api = apis.get(prefix)
    if api is None or name not in api.model.operations():
        raise UnknownOperationException(f"Unknown operation {target or '(no X-Amz-Target)'}")
    return api, name


def _authenticate(config: ApiConfig, api: _Api, request: Request, body: bytes, now: float) -> sigv4.Caller:
    """Who signed the call and the region it acts in, once its SigV4 signature is verified."""
    settings = config.deps.settings
    signed = sigv4.SignedRequest(
        method=request.method,
        raw_path=request.scope.get("raw_path", b"/").decode("latin-1").split("?", 1)[0] or "/",
        query=request.scope.get("query_string", b"").decode("latin-1"),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )
    return sigv4.verify(signed, config.secret_for, now, settings.signature_max_skew_seconds, api.model.signing_name)


def _parse(body: bytes, model: ApiModel = COGNITO_IDP) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise SerializationException("Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise SerializationException("Request body must be a JSON object.")
    cleaned: dict[str, Any] = _without_nulls(data, model.deepest_input + NESTING_MARGIN)
    return cleaned


def _without_nulls(value: Any, levels: int) -> Any:
    """AWS reads a JSON null as an absent value; dropping them here spares every service the case. ``levels``
    is how many more objects and arrays deep ``value`` may go: below that the body is refused, so this
    recursion stays shallow."""
    if isinstance(value, dict):
        if levels < 1:
            raise SerializationException("Request body is nested too deeply.")
        return {k: _without_nulls(v, levels - 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        if levels < 1:
            raise SerializationException("Request body is nested too deeply.")
        return [_without_nulls(v, levels - 1) for v in value if v is not None]
    return value


def _prepare(
    deps: Deps,
    api: _Api,
    request: Request,
    request_id: str,
    operation: str,
    body: bytes,
    now: float,
    region: str,
    caller: str = "",
) -> tuple[Service, Ctx, dict[str, Any]]:
    """JSON -> model validation -> the operation's service, with its Ctx and parameters. ``caller``: the
    access key that signed the call, when a signature was checked (or, in dev mode, claimed)."""
    params = _parse(body, api.model)
    shapes.validate(api.model.input_shape(operation), params, api.model)
    service = api.table.get(operation)
    if service is None:
        raise UnsupportedOperationException(f"{operation} is not implemented by userpool yet.")
    source_ip = request.client.host if request.client is not None else ""
    agent = request.headers.get("user-agent", "")
    ctx = Ctx(
        deps=deps,
        request_id=request_id,
        now=now,
        region=region,
        caller=caller,
        source_ip=source_ip,
        user_agent=agent,
    )
    return service, ctx, params


def _signed_call(
    config: ApiConfig,
    deps: Deps,
    api: _Api,
    request: Request,
    request_id: str,
    operation: str,
    body: bytes,
    now: float,
) -> dict[str, Any]:
    """A signed operation from signature to response in one call, so that it hops to a worker thread once at
    most: a hop there and back costs about as much CPU as reading a user (docs/architecture.md, Hot-path rules)."""
    caller = _authenticate(config, api, request, body, now)
    service, ctx, params = _prepare(
        deps, api, request, request_id, operation, body, now, caller.region, caller.access_key_id
    )
    return service(ctx, params)


async def _dispatch(
    config: ApiConfig, inline: _Inline, api: _Api, request: Request, request_id: str, operation: str
) -> dict[str, Any]:
    deps = config.deps
    body = await request.body()  # at most MAX_BODY: body_limits.py saw to it
    now = deps.clock.now()
    authorization = request.headers.get("authorization")
    model = api.model
    unsigned = model.is_unsigned(operation) or (model.signature_optional(operation) and not authorization)
    on_loop = api.model is COGNITO_IDP and operation in inline.operations
    if on_loop:
        deps = inline.deps
    if not (unsigned or deps.settings.dev):
        if on_loop:
            return _signed_call(config, deps, api, request, request_id, operation, body, now)
        return await run_in_threadpool(_signed_call, config, deps, api, request, request_id, operation, body, now)
    # Nothing to verify: no worker-thread hop for reading the region out of a header (docs/architecture.md,
    # Hot-path rules). Dev mode takes any signature for what it claims to be.
    region = sigv4.region_of(authorization) or deps.settings.region
    caller = (sigv4.access_key_of(authorization) or "") if deps.settings.dev else ""
    service, ctx, params = _prepare(deps, api, request, request_id, operation, body, now, region, caller)
    if on_loop:
        return service(ctx, params)
    return await run_in_threadpool(service, ctx, params)


def make_endpoint(config: ApiConfig) -> Callable[[Request], Any]:
    apis = _apis(config)
    inline = _inline(config)

    async def endpoint(request: Request) -> Response:
        request_id = new_request_id()
        if request.method == "OPTIONS":
            headers = {
                **_cors(config.deps),
                "Access-Control-Allow-Methods": "POST, OPTIONS",
                "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
                "Access-Control-Max-Age": "86400",
                "x-amzn-RequestId": request_id,
            }
            return Response(status_code=200, headers=headers)
        start = perf_counter()
        REQUEST_ID.set(request_id)  # for the log lines of this call (monitoring/logs.py)
        operation = UNKNOWN_OPERATION
        try:
            api, operation = _operation(apis, request)
            response = _ok(
                config.deps, request_id, await _dispatch(config, inline, api, request, request_id, operation)
            )
            outcome = SUCCESS
        except CognitoError as err:
            response = _error(config.deps, request_id, err)
            outcome = err.code if err.status < 500 else SERVER_ERROR
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            response = _error(config.deps, request_id, InternalErrorException())
            outcome = SERVER_ERROR
        config.deps.metrics.request(operation, outcome, perf_counter() - start)
        return response

    return endpoint
