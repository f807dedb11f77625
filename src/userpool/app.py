"""create_app(settings) -> Starlette: the one place that builds the adapters and wires them (docs/architecture.md)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from userpool.api import import_uploads
from userpool.api.direct import make_invoke
from userpool.api.endpoint import MAX_BODY, ApiConfig, make_endpoint, too_large
from userpool.api.service_model import COGNITO_IDENTITY, operations
from userpool.body_limits import BodyLimit, BodyLimits
from userpool.bootstrap import prepare_data_dir, server_secrets
from userpool.breached.file_backed import FileBackedPasswords
from userpool.clock import Clock, SystemClock
from userpool.config import DEFAULT_STS_ENDPOINT, Settings, TriggerTarget
from userpool.context import Ctx, Deps
from userpool.crypto.cpus import usable_cpus
from userpool.crypto.passwords import PasswordHasher
from userpool.crypto.sealing import Sealer
from userpool.delivery.dispatcher import OutboxDispatcher
from userpool.delivery.logs.shipper import QueuedLogShipper
from userpool.delivery.senders import LogSender, Sender, SmtpSender, WebhookSmsSender
from userpool.geoip.maxmind import MaxMindGeoIp
from userpool.geoip.port import GeoIp, NoGeoIp
from userpool.import_files.directory import DirectoryImportFiles
from userpool.model.import_jobs import UPLOAD_PREFIX
from userpool.model.paging import PageTokens
from userpool.monitoring.http import RequestMetrics, metrics_route
from userpool.monitoring.port import NO_METRICS, UNKNOWN_OPERATION, UNMATCHED_ROUTE
from userpool.monitoring.prometheus import PrometheusMetrics
from userpool.oauth import routes as oauth_routes
from userpool.oauth.http import MAX_FORM_BYTES as OAUTH_MAX_FORM
from userpool.oauth.http import too_large as oauth_too_large
from userpool.oauth.saml2 import SAML_MAX_FORM_BYTES
from userpool.outbound.httpx_client import HttpxOutbound, operator_url_refusal
from userpool.outbound.sts_query import QuerySts
from userpool.services.hosted.oauth_clients import domain_pool
from userpool.services.registry import IDENTITY_OPERATION_MODULES, build_table
from userpool.services.user_import.steps.worker import ImportWorker
from userpool.store.sql import migrate
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore
from userpool.triggers.cognito_migration import CognitoMigrationTransport
from userpool.triggers.python_target import PythonTransport
from userpool.triggers.targets import is_cognito_migration, is_webhook
from userpool.triggers.transport import TriggerFunctions, TriggerTransport
from userpool.triggers.webhook import WebhookTransport
from userpool.web.console import routes as console_routes
from userpool.web.console.frame import MAX_FORM_BYTES as CONSOLE_MAX_FORM
from userpool.web.console.frame import PREFIX as CONSOLE
from userpool.web.console.routes import UPLOAD_PATH, upload_form_bytes
from userpool.web.login import routes as login_routes

log = logging.getLogger("userpool")

CONSOLE_UPLOAD_SUFFIX = UPLOAD_PATH.rsplit("}", 1)[1]


@dataclass(frozen=True, slots=True)
class Runtime:
    """What create_app built, for the CLI and tests: the store, the outbox dispatcher, the deps."""

    deps: Deps
    store: SqlStore
    dispatcher: OutboxDispatcher
    # Closed when the app stops: its pooled connections to identity providers would otherwise stay open.
    outbound: HttpxOutbound
    # Stopped when the app stops, after the dispatcher: what is queued is delivered first.
    logs: QueuedLogShipper
    # Closed when the app stops: its connections to the Cognito user pools users move in from.
    migration: CognitoMigrationTransport
    # Imports the files of started user import jobs that this instance holds, in a thread of its own.
    imports: ImportWorker
    # The metrics adapter; None when metrics are off (settings.metrics.enabled).
    metrics: PrometheusMetrics | None = None
    # The HTTP client of the identity pools' STS; closed when the app stops, as ``outbound`` is.
    sts_http: HttpxOutbound | None = None


def trigger_functions(settings: Settings, migration: CognitoMigrationTransport | None = None) -> TriggerFunctions:
    """Each configured trigger target with its transport: a webhook for an ``http(s)://`` URL, the built-in
    UserMigration function for ``cognito-migration``, else the in-process Python callable it names. Chosen
    here once, so that nothing below knows which it is."""
    python = PythonTransport()
    webhook = WebhookTransport(settings.trigger_secret)
    cognito = migration or CognitoMigrationTransport()
    transports: dict[TriggerTarget, TriggerTransport] = {}
    for target in settings.triggers:
        if is_cognito_migration(target):
            transports.setdefault(target, cognito)
        else:
            transports.setdefault(target, webhook if is_webhook(target) else python)
    return TriggerFunctions(transports, settings.trigger_timeout_seconds)


def build_runtime(
    settings: Settings, clock: Clock | None = None, run_migrations: bool = True, hashing_cpus: int | None = None
) -> Runtime:
    """The store, dispatcher and deps of one process. ``hashing_cpus``: the CPUs this process hashes on (a
    pinned worker's share); by default the workers divide every CPU the server may use."""
    prepare_data_dir(settings.data_dir)
    engine = make_engine(settings.effective_database_url)
    secrets = server_secrets(settings)
    sealer = Sealer(secrets)
    if run_migrations:
        migrate.upgrade(engine, sealer)
    store = SqlStore(engine, sealer)
    clock = clock or SystemClock()
    email: Sender = (
        SmtpSender(settings.smtp_url, settings.mail_from, settings.smtp_username, settings.smtp_password)
        if settings.smtp_url
        else LogSender()
    )
    sms: Sender = WebhookSmsSender(settings.sms_webhook_url) if settings.sms_webhook_url else LogSender()
    # Log events go to the sinks the settings map their destination ARNs to (README "Log delivery").
    logs = QueuedLogShipper(settings.log_delivery, settings.data_dir)
    dispatcher = OutboxDispatcher(store, email, sms, clock, logs=logs)
    metrics = PrometheusMetrics(lambda: _outbox_queued(store)) if settings.metrics.enabled else None
    # The workers of one server share its CPUs: together they hash on one thread per CPU (crypto/passwords.py).
    argon2 = settings.argon2
    cpus = hashing_cpus if hashing_cpus is not None else usable_cpus() // settings.worker_count
    hash_threads = max(1, cpus // max(1, argon2.parallelism))
    load = metrics.hashing_load(hash_threads) if metrics else None
    hasher = PasswordHasher(argon2.time_cost, argon2.memory_kib, argon2.parallelism, threads=hash_threads, load=load)
    page_tokens = PageTokens(hashlib.sha256(b"userpool-page-tokens:" + secrets[0].encode()).digest())
    outbound = HttpxOutbound(allow_http=settings.federation.allow_http_idp_urls)
    migration = CognitoMigrationTransport()
    # Identity pools' credentials come from the STS the settings name, wherever the operator put it.
    sts_http = HttpxOutbound(allow_http=True, check_url=operator_url_refusal)
    # The operator's GeoIP database, opened now so that a missing or broken file stops the start.
    geoip: GeoIp = MaxMindGeoIp(settings.geoip_database) if settings.geoip_database else NoGeoIp()
    # User import files wait in the data directory between their upload and their import (README "Importing users").
    wake_imports = threading.Event()
    deps = Deps(
        settings=settings,
        store=store,
        clock=clock,
        hasher=hasher,
        page_tokens=page_tokens,
        code_key=hashlib.sha256(b"userpool-one-time-codes:" + secrets[0].encode()).digest(),
        triggers=trigger_functions(settings, migration),
        outbound=outbound,
        breached_passwords=FileBackedPasswords(settings.breached_passwords_file),
        metrics=metrics or NO_METRICS,
        wake_outbox=dispatcher.wake,
        logs=logs,
        geoip=geoip,
        import_files=DirectoryImportFiles(settings.data_dir / "imports"),
        wake_imports=wake_imports.set,
        sts=QuerySts(sts_http, settings.identity_pools.sts_endpoint or DEFAULT_STS_ENDPOINT),
    )
    imports = ImportWorker(deps, wake_imports)
    return Runtime(deps, store, dispatcher, outbound, logs, migration, imports, metrics, sts_http)


def _outbox_queued(store: SqlStore) -> dict[str, int]:
    with store.read() as tx:
        return tx.outbox.queued()


def _secret_lookup(runtime: Runtime) -> ApiConfig:
    settings = runtime.deps.settings

    def secret_for(access_key_id: str) -> str | None:
        if settings.admin_access_key_id and hmac.compare_digest(
            access_key_id.encode(), settings.admin_access_key_id.encode()
        ):
            return settings.admin_secret_access_key
        with runtime.store.read() as tx:
            key = tx.admin_keys.get(access_key_id)
        return key.secret_access_key if key else None

    return ApiConfig(
        deps=runtime.deps,
        table=build_table(operations()),
        secret_for=secret_for,
        identity_table=build_table(COGNITO_IDENTITY.operations(), IDENTITY_OPERATION_MODULES),
    )


def _body_limits(api: BodyLimit, deps: Deps) -> Callable[[str], BodyLimit]:
    """Each route's largest body and its answer to a larger one: the API's (its model's largest request, in
    Cognito's error shape), the OAuth endpoints' forms (an RFC 6749 error), the SAML endpoints' (a Response of
    100,000 characters), the console's forms (a logo upload
    among them), user import files (streamed to disk by their route, in S3's error shape; the console's upload
    form of one too), and for every other route the OAuth forms' size (the hosted pages' are smaller and checked
    again by them)."""
    oauth = BodyLimit(OAUTH_MAX_FORM, oauth_too_large)
    console = BodyLimit(CONSOLE_MAX_FORM)
    others = BodyLimit(OAUTH_MAX_FORM)
    saml = BodyLimit(SAML_MAX_FORM_BYTES)
    most = deps.settings.user_import_max_file_bytes
    uploads = BodyLimit(most, import_uploads.too_large(most), streamed=True)
    console_uploads = BodyLimit(upload_form_bytes(deps), streamed=True)

    def limit_for(path: str) -> BodyLimit:
        if path == "/":
            return api
        if path.startswith(UPLOAD_PREFIX):
            return uploads
        if path.startswith("/oauth2/"):
            return oauth
        if path.startswith("/saml2/"):
            return saml
        if path == CONSOLE or path.startswith(CONSOLE + "/"):
            return console_uploads if path.endswith(CONSOLE_UPLOAD_SUFFIX) else console
        return others

    return limit_for


def _metrics_route(runtime: Runtime, metrics: PrometheusMetrics) -> Route:
    """``GET /metrics``, answered on the server's own host names only: 404 on a pool's domain."""
    deps = runtime.deps

    def on_pool_domain(host: str) -> bool:
        ctx = Ctx(deps=deps, request_id="metrics", now=deps.clock.now(), region=deps.settings.region)
        return domain_pool(ctx, host) is not None

    return metrics_route(metrics.exposition, deps.settings.metrics.token, on_pool_domain)


def create_app(settings: Settings, clock: Clock | None = None, runtime: Runtime | None = None) -> Starlette:
    runtime = runtime or build_runtime(settings, clock)
    if settings.dev:
        log.warning("DEV MODE: admin API signatures are NOT verified; never expose this server")
    api = _secret_lookup(runtime)
    endpoint = make_endpoint(api)
    metrics = runtime.metrics

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        runtime.dispatcher.start()
        runtime.imports.start()
        try:
            yield
        finally:
            runtime.imports.stop()
            runtime.dispatcher.stop()
            runtime.logs.stop()
            runtime.outbound.close()
            runtime.migration.close()
            if runtime.sts_http is not None:
                runtime.sts_http.close()

    routes = [
        Route("/", endpoint, methods=["POST", "OPTIONS"]),
        Route("/healthz", healthz, methods=["GET"]),
        *([_metrics_route(runtime, metrics)] if metrics else []),
        *import_uploads.routes(runtime.deps),
        *oauth_routes.routes(runtime.deps),
        *login_routes.routes(runtime.deps),
        *console_routes.routes(runtime.deps, make_invoke(api.table, api.identity_table)),
    ]
    api_limit = BodyLimit(MAX_BODY, too_large(runtime.deps))
    middleware = [Middleware(BodyLimits, limit_for=_body_limits(api_limit, runtime.deps))]
    if metrics:
        # The operation label's values: the model's operations and the routes' templates, nothing else.
        metrics.allow_operations(
            [*operations(), *COGNITO_IDENTITY.operations(), UNKNOWN_OPERATION, UNMATCHED_ROUTE]
            + [r.path for r in routes]
        )
        # Inside BodyLimits: a request is timed from its body in hand, as the API endpoint times its calls.
        middleware.append(Middleware(RequestMetrics, metrics=metrics))
    # POST / straight to the API's endpoint through its body limit: the routing and middleware between would
    # only pass it through (RequestMetrics leaves the API's calls to the endpoint, which times them itself).
    api_app = BodyLimits(endpoint, limit_for=lambda _: api_limit)
    token_route = next(r for r in routes if isinstance(r, Route) and r.path == oauth_routes.TOKEN_PATH)
    app = _Server(api_app, token_route, routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.runtime = runtime
    return app


class _Matched:
    """One route's request, known to be the route's before any routing: what Starlette's router would have left
    in the scope for it (the middleware labels metrics with the route), then the route's own handling."""

    def __init__(self, route: Route) -> None:
        self._route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self._route
        scope["endpoint"] = self._route.endpoint
        scope["path_params"] = {}
        await self._route.app(scope, receive, send)


class _Server(Starlette):
    """The app: Starlette's routes and middleware, and ``POST /``, the API (most of the calls a server answers),
    sent to its ASGI app directly, which spares each call ~15 µs of CPU (docs/architecture.md, Hot-path rules).
    Every other method on ``/`` (the CORS preflight, and the 405 of the rest) goes through the routes.
    ``POST /oauth2/token`` (every machine token, and the refreshes of apps signed in through OAuth) goes to its
    route through the same middleware as every route, but past the router's search through the routes and the
    exception middleware (its endpoint answers each error it expects itself)."""

    def __init__(self, api: ASGIApp, token: Route, **options: Any) -> None:
        super().__init__(**options)
        self._api = api
        stack: ASGIApp = _Matched(token)
        for cls, args, kwargs in reversed([Middleware(ServerErrorMiddleware, debug=self.debug), *self.user_middleware]):
            stack = cls(stack, *args, **kwargs)
        self._token = stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"]
            if path == "/":
                await self._api(scope, receive, send)
                return
            if path == oauth_routes.TOKEN_PATH:
                scope["app"] = self
                await self._token(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
