"""POST / : the AWS JSON 1.1 endpoint of the Cognito Identity Provider API (user pools) and of the Cognito Identity
API (identity pools) (docs/architecture.md, "A signed API call, end to end").

target -> service and operation -> signature (unless the model says ``authtype: none``, or the operation is one an
app client's secret may authorize instead: api/service_model.py) -> JSON -> model validation -> service function in
a worker thread (worker_threads.py) -> JSON. This module is the one place that turns errors into AWS's wire format.

The quickest reads (services/registry.py QUICK_READS) skip the worker thread where the store's reads never wait
(SQLite): a hop there and back costs CPU (~5-25 µs), and such a read takes less time than the hop. They run on
the event loop with a store that refuses writes, so that none of them can come to wait on a writer's lock there
(docs/architecture.md, Hot-path rules).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from time import perf_counter
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.api import shapes, sigv4
from userpool.api.service_model import COGNITO_IDENTITY, COGNITO_IDP, ApiModel
from userpool.body_limits import received_body
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
from userpool.worker_threads import run_in_worker

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


RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class _Answers:
    """The headers every answer carries, encoded once: Starlette's Response would encode them per request."""

    cors: RawHeaders
    # After the request id and error type: CORS's, and dev mode's mark.
    common: RawHeaders

    @classmethod
    def of(cls, deps: Deps) -> _Answers:
        cors = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in _cors(deps).items()]
        dev = [(b"x-local-auth", b"disabled")] if deps.settings.dev else []
        return cls(cors, cors + dev)

    def ok(self, request_id: str, body: bytes) -> RawHeaders:
        return [
            (b"x-amzn-requestid", request_id.encode("latin-1")),
            *self.common,
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", _CONTENT_TYPE),
        ]

    def error(self, request_id: str, err: CognitoError, body: bytes) -> RawHeaders:
        return [
            (b"x-amzn-requestid", request_id.encode("latin-1")),
            (b"x-amzn-errortype", f"{err.code}:".encode("latin-1")),
            *self.common,
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", _CONTENT_TYPE),
        ]


_CONTENT_TYPE = CONTENT_TYPE.encode("latin-1")


def too_large(deps: Deps) -> Callable[[], Response]:
    """The answer to a body beyond MAX_BODY: Cognito's error shape, with HTTP's status for it (413)."""
    answers = _Answers.of(deps)

    def answer() -> Response:
        err = SerializationException("Request body is too large.")
        body = orjson.dumps(err.to_wire())
        response = Response(body, 413)
        response.raw_headers = answers.error(new_request_id(), err, body)
        return response

    return answer


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by (ASGI's lower-case) name. A header sent more than once has its values joined with
    commas, as SigV4's canonical form joins them: the X-Amz-Target the operation is read from is then the one
    the signature covers, never a second header put before a signed one."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        found[name] = f"{found[name]},{value}" if name in found else value
    return found


@dataclass(frozen=True, slots=True)
class _Request:
    """What the endpoint reads of a request: its ASGI scope, headers and body."""

    scope: Scope
    headers: dict[str, str]
    body: bytes


def _operation(apis: dict[str, _Api], request: _Request) -> tuple[_Api, str]:
    """The service and operation X-Amz-Target names (``AWSCognitoIdentityService.GetId``)."""
    target = request.headers.get("x-amz-target", "")
    prefix, _, name = target.partition(".")
    api = apis.get(prefix)
    if api is None or name not in api.model.operations():
        raise UnknownOperationException(f"Unknown operation {target or '(no X-Amz-Target)'}")
    return api, name


def _authenticate(config: ApiConfig, api: _Api, request: _Request, now: float) -> sigv4.Caller:
    """Who signed the call and the region it acts in, once its SigV4 signature is verified."""
    settings = config.deps.settings
    scope = request.scope
    signed = sigv4.SignedRequest(
        method=scope["method"],
        raw_path=scope.get("raw_path", b"/").decode("latin-1").split("?", 1)[0] or "/",
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=request.headers,
        body=request.body,
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
        return {
            k: _without_nulls(v, levels - 1) if isinstance(v, dict | list) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        if levels < 1:
            raise SerializationException("Request body is nested too deeply.")
        return [_without_nulls(v, levels - 1) if isinstance(v, dict | list) else v for v in value if v is not None]
    return value


def _prepare(
    deps: Deps,
    api: _Api,
    request: _Request,
    request_id: str,
    operation: str,
    now: float,
    region: str,
    caller: str = "",
) -> tuple[Service, Ctx, dict[str, Any]]:
    """JSON -> model validation -> the operation's service, with its Ctx and parameters. ``caller``: the
    access key that signed the call, when a signature was checked (or, in dev mode, claimed)."""
    params = _parse(request.body, api.model)
    shapes.validate(api.model.input_shape(operation), params, api.model)
    service = api.table.get(operation)
    if service is None:
        raise UnsupportedOperationException(f"{operation} is not implemented by userpool yet.")
    client = request.scope.get("client")
    ctx = Ctx(
        deps=deps,
        request_id=request_id,
        now=now,
        region=region,
        caller=caller,
        source_ip=client[0] if client else "",
        user_agent=request.headers.get("user-agent", ""),
    )
    return service, ctx, params


def _signed_call(
    config: ApiConfig, deps: Deps, api: _Api, request: _Request, request_id: str, operation: str, now: float
) -> dict[str, Any]:
    """A signed operation from signature to response in one call, so that it hops to a worker thread once at
    most: a hop there and back costs about as much CPU as reading a user (docs/architecture.md, Hot-path rules)."""
    caller = _authenticate(config, api, request, now)
    service, ctx, params = _prepare(deps, api, request, request_id, operation, now, caller.region, caller.access_key_id)
    return service(ctx, params)


async def _dispatch(
    config: ApiConfig, inline: _Inline, api: _Api, request: _Request, request_id: str, operation: str
) -> dict[str, Any]:
    deps = config.deps
    now = deps.clock.now()
    authorization = request.headers.get("authorization")
    model = api.model
    unsigned = model.is_unsigned(operation) or (model.signature_optional(operation) and not authorization)
    on_loop = api.model is COGNITO_IDP and operation in inline.operations
    if on_loop:
        deps = inline.deps
    if not (unsigned or deps.settings.dev):
        if on_loop:
            return _signed_call(config, deps, api, request, request_id, operation, now)
        return await run_in_worker(_signed_call, config, deps, api, request, request_id, operation, now)
    # Nothing to verify: no worker-thread hop for reading the region out of a header (docs/architecture.md,
    # Hot-path rules). Dev mode takes any signature for what it claims to be.
    region = sigv4.region_of(authorization) or deps.settings.region
    caller = (sigv4.access_key_of(authorization) or "") if deps.settings.dev else ""
    service, ctx, params = _prepare(deps, api, request, request_id, operation, now, region, caller)
    if on_loop:
        return service(ctx, params)
    return await run_in_worker(service, ctx, params)


async def _send(send: Send, status: int, headers: RawHeaders, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiEndpoint:
    """The ASGI app of ``POST /`` (and its CORS preflight): a route of its own, without Starlette's Request and
    Response around each call, whose headers and body it reads and writes directly."""

    def __init__(self, config: ApiConfig) -> None:
        self._config = config
        self._apis = _apis(config)
        self._inline = _inline(config)
        self._answers = _Answers.of(config.deps)
        deps = config.deps
        self._preflight = [
            *self._answers.cors,
            (b"access-control-allow-methods", b"POST, OPTIONS"),
            (b"access-control-allow-headers", CORS_ALLOW_HEADERS.encode("latin-1")),
            (b"access-control-max-age", b"86400"),
        ]
        self._metrics = deps.metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = new_request_id()
        if scope["method"] == "OPTIONS":
            headers = [*self._preflight, (b"x-amzn-requestid", request_id.encode("latin-1")), (b"content-length", b"0")]
            await _send(send, 200, headers, b"")
            return
        body = await received_body(receive)  # at most MAX_BODY: body_limits.py saw to it
        if body is None:
            return  # the client left: nobody to answer
        start = perf_counter()
        REQUEST_ID.set(request_id)  # for the log lines of this call (monitoring/logs.py)
        operation = UNKNOWN_OPERATION
        request = _Request(scope, _headers(scope), body)
        try:
            api, operation = _operation(self._apis, request)
            answer = orjson.dumps(await _dispatch(self._config, self._inline, api, request, request_id, operation))
            status, headers = 200, self._answers.ok(request_id, answer)
            outcome = SUCCESS
        except CognitoError as err:
            status, answer, headers, outcome = self._refusal(request_id, err)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            status, answer, headers, outcome = self._refusal(request_id, InternalErrorException())
        self._metrics.request(operation, outcome, perf_counter() - start)
        await _send(send, status, headers, answer)

    def _refusal(self, request_id: str, err: CognitoError) -> tuple[int, bytes, RawHeaders, str]:
        body = orjson.dumps(err.to_wire())
        outcome = err.code if err.status < 500 else SERVER_ERROR
        return err.status, body, self._answers.error(request_id, err, body), outcome


def make_endpoint(config: ApiConfig) -> ASGIApp:
    return ApiEndpoint(config)
