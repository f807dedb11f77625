"""Process settings: defaults < TOML file < ``USERPOOL_*`` environment < command-line flags.

Per-pool behaviour (policies, MFA, triggers) is data stored with the pool, never a setting.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from userpool.migration_settings import is_loopback_host
from userpool.trigger_settings import TriggerTarget as TriggerTarget
from userpool.trigger_settings import merge_triggers, trigger_targets

ENV_PREFIX = "USERPOOL_"
BREACHED_FILE = "breached-passwords.bin"


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """argon2id cost; the default is OWASP's m=19 MiB, t=2, p=1."""

    time_cost: int = 2
    memory_kib: int = 19 * 1024
    parallelism: int = 1

    @classmethod
    def fast(cls) -> Argon2Params:
        """Cheap parameters for tests only."""
        return cls(time_cost=1, memory_kib=64, parallelism=1)


# The social identity providers whose endpoints AWS fixes, and the endpoint keys a site may replace
# (README "Federation"): tests and air-gapped sites point them at a provider they run themselves.
SOCIAL_PROVIDER_TYPES = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
SOCIAL_ENDPOINT_KEYS = (
    "authorize_url",
    "token_url",
    "attributes_url",
    "oidc_issuer",
    "jwks_uri",
    "token_request_method",
)


@dataclass(frozen=True, slots=True)
class SocialEndpoints:
    """Replacements for one social provider's fixed URLs; an empty value keeps AWS's."""

    authorize_url: str = ""
    token_url: str = ""
    attributes_url: str = ""
    oidc_issuer: str = ""
    jwks_uri: str = ""
    token_request_method: str = ""


@dataclass(frozen=True, slots=True)
class FederationSettings:
    """How the server reaches external identity providers.

    ``allow_http_idp_urls`` lets provider URLs be plain http or another port than 443, which AWS refuses,
    and only for loopback and private addresses: for providers run beside the server in tests.
    ``social_endpoints`` maps a social provider type (Google, ...) to replacements of its fixed URLs.
    """

    allow_http_idp_urls: bool = False
    social_endpoints: Mapping[str, SocialEndpoints] = field(default_factory=dict)

    def endpoints_of(self, provider_type: str) -> SocialEndpoints:
        """The replacements configured for ``provider_type``; all empty when none are."""
        return self.social_endpoints.get(provider_type) or SocialEndpoints()


LOG_SINK_KINDS = ("file", "stdout", "webhook", "otlp", "none")
LOG_DELIVERY_KEYS = ("destinations", "default_sink", "directory", "otlp_endpoint", "timeout_seconds")


@dataclass(frozen=True, slots=True)
class LogSink:
    """Where the events of a pool's log destination go on this server (README "Log delivery").

    ``kind``: ``file`` (JSON lines appended to ``target``, a path), ``stdout`` (JSON lines), ``webhook`` (each
    event POSTed as JSON to the URL ``target``), ``otlp`` (OTLP/HTTP JSON logs POSTed to ``target``/v1/logs)
    or ``none`` (dropped).
    """

    kind: str
    target: str = ""


@dataclass(frozen=True, slots=True)
class LogDeliverySettings:
    """Where pools' log events go: Cognito sends them to CloudWatch Logs, Firehose or S3 by ARN; here each ARN
    is mapped to a sink (``destinations``). An ARN without a mapping goes to ``default_sink``, or, when that
    is empty, to a JSON-lines file of its own in ``directory`` (``<data_dir>/logs`` when empty).
    ``timeout_seconds`` bounds each webhook or OTLP request."""

    destinations: Mapping[str, LogSink] = field(default_factory=dict)
    default_sink: LogSink | None = None
    directory: str = ""
    otlp_endpoint: str = ""
    timeout_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    """``GET /metrics`` (README "Monitoring"): whether it is served, and the bearer token a scrape must carry
    (empty: none is asked for)."""

    enabled: bool = True
    token: str = ""


@dataclass(frozen=True, slots=True)
class IdentityPoolSettings:
    """Identity pools (README "Identity pools"). ``issuer``: the ``iss`` of their OpenID tokens, where discovery
    and JWKS are served under ``/identity``; empty means ``<public URL>/identity``. ``sts_endpoint``: the STS that
    GetCredentialsForIdentity asks for credentials (AssumeRoleWithWebIdentity, the query API); ``{region}`` is
    replaced by the identity pool's region, and empty means AWS's regional endpoint."""

    issuer: str = ""
    sts_endpoint: str = ""

    def __post_init__(self) -> None:
        for name in ("issuer", "sts_endpoint"):
            value = getattr(self, name)
            parts = urlsplit(value.replace("{region}", "region"))
            if value and (parts.scheme not in ("https", "http") or not parts.hostname):
                raise ValueError(f"setting identity_pools.{name} must be an http(s):// URL, not {value!r}")


DEFAULT_STS_ENDPOINT = "https://sts.{region}.amazonaws.com/"
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class LogSettings:
    """How log lines are written: ``text`` (one line of words) or ``json`` (one JSON object per line)."""

    format: str = "text"

    def __post_init__(self) -> None:
        if self.format not in LOG_FORMATS:
            raise ValueError(f"setting log.format must be one of {', '.join(LOG_FORMATS)}, not {self.format!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a process needs to know that is not stored in the database."""

    host: str = "127.0.0.1"
    port: int = 9229
    data_dir: Path = Path("userpool-data")
    database_url: str = ""
    dev: bool = False
    region: str = "us-east-1"
    account_id: str = "000000000000"
    public_url: str = ""
    # Tokens' ``iss`` is ``<issuer_base>/<poolId>``; empty means the public URL. ``{region}`` is replaced by
    # the pool's region, e.g. "https://cognito-idp.{region}.amazonaws.com" (Cognito developer guide:
    # 'Verifying JSON web tokens').
    issuer_base: str = ""
    admin_access_key_id: str = ""
    admin_secret_access_key: str = ""
    # Server secrets that seal stored secrets (AES-GCM); the first seals, all unseal. Comma-separated in env.
    secret_keys: tuple[str, ...] = ()
    smtp_url: str = ""
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "no-reply@userpool.local"
    sms_webhook_url: str = ""
    cors_allow_origin: str = "*"
    signature_max_skew_seconds: int = 900
    log_level: str = "info"
    log: LogSettings = field(default_factory=LogSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    identity_pools: IdentityPoolSettings = field(default_factory=IdentityPoolSettings)
    argon2: Argon2Params = field(default_factory=Argon2Params)
    federation: FederationSettings = field(default_factory=FederationSettings)
    # Where the events of pools' SetLogDeliveryConfiguration go (README "Log delivery").
    log_delivery: LogDeliverySettings = field(default_factory=LogDeliverySettings)
    # Lambda triggers: the pools' LambdaConfig keeps real ARNs; these say where each function runs.
    triggers: tuple[TriggerTarget, ...] = ()
    trigger_secret: str = ""
    # Cognito gives a trigger 5 seconds per attempt (Cognito developer guide: 'Customizing user pool workflows
    # with Lambda triggers').
    trigger_timeout_seconds: float = 5.0
    # Whether a sign-up that PreSignUp auto-confirms also fires PostConfirmation.
    auto_confirm_post_confirmation: bool = True
    # A pool's prefix domain is served at ``<prefix>.<auth_domain_suffix>`` (Cognito developer guide: 'Configuring a
    # user pool domain'); empty means the host of the public URL, so ``myapp.localhost`` works with no DNS set-up.
    auth_domain_suffix: str = ""
    # HTTPS: a certificate and key (PEM files), or tls = "self-signed" for one made in the data dir.
    tls_cert: str = ""
    tls_key: str = ""
    tls: str = ""
    # The admin console signs an operator out after this long without a request (docs/architecture.md,
    # Security invariants).
    console_idle_timeout_seconds: int = 1800
    # Worker processes of ``serve``; 0 means one per CPU core this process may run on.
    workers: int = 0
    # Each worker on its own share of the CPUs (workers.py); off where something else places the processes.
    pin_workers: bool = True
    # Slow and idle clients (slowloris, connections.py): a request's headers must all be there this long after
    # its first byte (or after the connection opened), its body this long after its headers; an idle
    # keep-alive connection is closed after keep_alive_timeout_seconds.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    keep_alive_timeout_seconds: int = 5
    # Connections one worker holds at once; a request beyond them is answered 503. 0: no limit.
    max_connections: int = 1000
    # Strict-Transport-Security's max-age when serve itself serves HTTPS (RFC 6797); 0 sends none.
    hsts_max_age_seconds: int = 31_536_000
    # How long users' auth events are kept (threat protection's user event history); Cognito keeps them two
    # years (Cognito developer guide: 'Viewing user event history').
    auth_event_retention_days: int = 730
    # The breached-password corpus that `userpool breached-passwords import` writes and every worker maps;
    # empty means breached-passwords.bin in the data directory.
    breached_passwords_path: str = ""
    # A MaxMind DB file (GeoLite2 / GeoIP2 City) that places sign-ins' IP addresses: adaptive authentication's
    # impossible-travel signal and the City and Country of auth events; empty: none (geoip/maxmind.py).
    geoip_database: str = ""
    # User import jobs' CSV files: the largest a pre-signed URL takes, and the most users one may hold
    # (Cognito's limits: 'Creating the user import CSV file').
    user_import_max_file_bytes: int = 100 * 1024 * 1024
    user_import_max_rows: int = 500_000

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'userpool.sqlite3').resolve()}"

    @property
    def breached_passwords_file(self) -> Path:
        """Where the breached-password corpus is (userpool/breached/corpus.py)."""
        return Path(self.breached_passwords_path) if self.breached_passwords_path else self.data_dir / BREACHED_FILE

    @property
    def base_url(self) -> str:
        """The URL clients use to reach this server."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host  # noqa: S104
        scheme = "https" if self.tls_cert or self.tls else "http"
        return f"{scheme}://{host}:{self.port}"

    @property
    def identity_issuer(self) -> str:
        """The ``iss`` of the identity pools' OpenID tokens (README "Identity pools")."""
        return (self.identity_pools.issuer or f"{self.base_url}/identity").rstrip("/")

    @property
    def worker_count(self) -> int:
        """How many worker processes ``serve`` runs."""
        if self.workers > 0:
            return self.workers
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _federation(raw: Any) -> FederationSettings:
    """``[federation]`` of the TOML file, or the parts the environment gave, as FederationSettings."""
    if isinstance(raw, FederationSettings):
        return raw
    if not isinstance(raw, Mapping) or set(raw) - {"allow_http_idp_urls", "social_endpoints"}:
        raise ValueError("setting federation must be a table of allow_http_idp_urls and social_endpoints")
    endpoints = raw.get("social_endpoints") or {}
    if not isinstance(endpoints, Mapping):
        raise ValueError("setting federation.social_endpoints must be a table of provider types")
    parsed: dict[str, SocialEndpoints] = {}
    for provider_type, urls in endpoints.items():
        if provider_type not in SOCIAL_PROVIDER_TYPES:
            raise ValueError(
                f"federation.social_endpoints: {provider_type!r} is not one of {', '.join(SOCIAL_PROVIDER_TYPES)}"
            )
        if not isinstance(urls, Mapping) or set(urls) - set(SOCIAL_ENDPOINT_KEYS):
            raise ValueError(
                f"federation.social_endpoints.{provider_type} takes only {', '.join(SOCIAL_ENDPOINT_KEYS)}"
            )
        parsed[provider_type] = SocialEndpoints(**{k: str(v) for k, v in urls.items()})
    allow = raw.get("allow_http_idp_urls", False)
    allow_http = allow if isinstance(allow, bool) else str(allow).strip().lower() in ("1", "true", "yes", "on")
    return FederationSettings(allow_http_idp_urls=allow_http, social_endpoints=parsed)


def _federation_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """``USERPOOL_FEDERATION__ALLOW_HTTP_IDP_URLS`` and ``USERPOOL_FEDERATION__SOCIAL_ENDPOINTS__<TYPE>__<KEY>``."""
    prefix = f"{ENV_PREFIX}FEDERATION__"
    found: dict[str, Any] = {}
    by_upper = {t.upper(): t for t in SOCIAL_PROVIDER_TYPES}
    for name, value in environ.items():
        if not name.startswith(prefix) or value == "":
            continue
        rest = name[len(prefix) :]
        if rest == "ALLOW_HTTP_IDP_URLS":
            found["allow_http_idp_urls"] = value
            continue
        parts = rest.split("__")
        if len(parts) != 3 or parts[0] != "SOCIAL_ENDPOINTS" or parts[1] not in by_upper:
            raise ValueError(f"unknown federation setting {name}")
        endpoints = found.setdefault("social_endpoints", {})
        endpoints.setdefault(by_upper[parts[1]], {})[parts[2].lower()] = value
    return found


def _merge_federation(from_file: Any, from_environ: dict[str, Any]) -> dict[str, Any]:
    """The file's ``[federation]`` with the environment's values laid over it, key by key."""
    merged: dict[str, Any] = dict(from_file) if isinstance(from_file, Mapping) else {}
    if "allow_http_idp_urls" in from_environ:
        merged["allow_http_idp_urls"] = from_environ["allow_http_idp_urls"]
    endpoints = {k: dict(v) for k, v in (merged.get("social_endpoints") or {}).items()}
    for provider_type, urls in from_environ.get("social_endpoints", {}).items():
        endpoints.setdefault(provider_type, {}).update(urls)
    if endpoints:
        merged["social_endpoints"] = endpoints
    return merged


def _http_target(url: str, what: str) -> str:
    """``url`` if events may be sent to it: HTTPS anywhere, plain HTTP only to this machine (a log event names
    users and their addresses)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError(f"log_delivery: {what} {url!r} is not an http(s):// URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(f"log_delivery: {what} {url!r} must be https:// unless its host is a loopback address")
    return url.rstrip("/") if what == "OTLP endpoint" else url


def log_sink(spec: str, otlp_endpoint: str = "") -> LogSink:
    """The sink a ``log_delivery`` spec names: ``file:///path``, ``stdout``, ``none``, an ``https://`` (or
    loopback ``http://``) webhook URL, ``otlp`` (to ``otlp_endpoint``) or ``otlp+https://collector:4318``."""
    spec = spec.strip()
    if spec in ("stdout", "none"):
        return LogSink(spec)
    if spec.startswith("file://"):
        parts = urlsplit(spec)
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/") or path.endswith("/"):
            raise ValueError(f"log_delivery: {spec!r} must be file:///<absolute path of a file>")
        return LogSink("file", path)
    if spec == "otlp":
        if not otlp_endpoint:
            raise ValueError("log_delivery: the sink 'otlp' needs log_delivery.otlp_endpoint")
        return LogSink("otlp", _http_target(otlp_endpoint, "OTLP endpoint"))
    if spec.startswith("otlp+"):
        return LogSink("otlp", _http_target(spec.removeprefix("otlp+"), "OTLP endpoint"))
    if spec.startswith(("https://", "http://")):
        return LogSink("webhook", _http_target(spec, "webhook"))
    raise ValueError(
        f"log_delivery: unknown sink {spec!r} (file:///path, stdout, none, https:// URL, otlp or otlp+https://)"
    )


def _log_delivery(raw: Any) -> LogDeliverySettings:
    """``[log_delivery]`` of the TOML file, with the environment's values laid over it, as settings."""
    if isinstance(raw, LogDeliverySettings):
        return raw
    if not isinstance(raw, Mapping) or set(raw) - set(LOG_DELIVERY_KEYS):
        raise ValueError(f"setting log_delivery must be a table of {', '.join(LOG_DELIVERY_KEYS)}")
    destinations = raw.get("destinations") or {}
    if not isinstance(destinations, Mapping):
        raise ValueError("setting log_delivery.destinations must be a table of ARN = sink")
    otlp = str(raw.get("otlp_endpoint") or "")
    default = str(raw.get("default_sink") or "")
    return LogDeliverySettings(
        destinations={str(arn).strip(): log_sink(str(spec), otlp) for arn, spec in destinations.items()},
        default_sink=log_sink(default, otlp) if default else None,
        directory=str(raw.get("directory") or ""),
        otlp_endpoint=otlp,
        timeout_seconds=float(raw.get("timeout_seconds", 5.0)),
    )


def _log_delivery_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """``USERPOOL_LOG_DELIVERY__<KEY>``; DESTINATIONS is a JSON object of ARN to sink (an ARN may hold commas
    and equals signs)."""
    prefix = f"{ENV_PREFIX}LOG_DELIVERY__"
    found: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(prefix) or value == "":
            continue
        key = name[len(prefix) :].lower()
        if key not in LOG_DELIVERY_KEYS:
            raise ValueError(f"unknown log delivery setting {name}")
        if key == "destinations":
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise ValueError(f"{name} must be a JSON object of ARN to sink")
            found[key] = parsed
        else:
            found[key] = value
    return found


def _merge_log_delivery(from_file: Any, from_environ: dict[str, Any]) -> dict[str, Any]:
    """The file's ``[log_delivery]`` with the environment's values laid over it, destination by destination."""
    merged: dict[str, Any] = dict(from_file) if isinstance(from_file, Mapping) else {}
    for key, value in from_environ.items():
        if key == "destinations":
            merged[key] = {**dict(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


# Tables of plain settings: ``[name]`` in TOML, ``USERPOOL_<NAME>__<MEMBER>`` in the environment.
_TABLES: dict[str, type[MetricsSettings] | type[LogSettings] | type[IdentityPoolSettings]] = {
    "metrics": MetricsSettings,
    "log": LogSettings,
    "identity_pools": IdentityPoolSettings,
}


def _table(name: str, raw: Any) -> Any:
    """The table ``name`` from a mapping of its members, each coerced to its default's type."""
    cls = _TABLES[name]
    if isinstance(raw, cls):
        return raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"setting {name} must be a table")
    base = cls()
    members = {f.name for f in fields(cls)}
    unknown = set(raw) - members
    if unknown:
        raise ValueError(f"unknown settings in [{name}]: {', '.join(sorted(map(str, unknown)))}")
    return cls(**{k: _coerce(f"{name}.{k}", v, getattr(base, k)) for k, v in raw.items()})


def _table_from_environ(name: str, environ: Mapping[str, str]) -> dict[str, str]:
    prefix = f"{ENV_PREFIX}{name.upper()}__"
    return {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix) and v != ""}


def _coerce(name: str, raw: Any, current: Any) -> Any:
    if name in _TABLES:
        return _table(name, raw)
    if name == "triggers":
        return trigger_targets(raw)
    if name == "federation":
        return _federation(raw)
    if name == "log_delivery":
        return _log_delivery(raw)
    if isinstance(current, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, Path):
        return Path(str(raw))
    if isinstance(current, tuple):
        if isinstance(raw, list | tuple):
            return tuple(str(x) for x in raw)
        return tuple(x.strip() for x in str(raw).split(",") if x.strip())
    if isinstance(current, Argon2Params):
        if not isinstance(raw, Mapping):
            raise ValueError(f"setting {name} must be a table")
        return Argon2Params(**{k: int(v) for k, v in raw.items()})
    return str(raw)


def load_settings(
    environ: Mapping[str, str] | None = None,
    toml_path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build Settings from a TOML file, ``USERPOOL_<NAME>`` variables and explicit overrides, in that order."""
    environ = os.environ if environ is None else environ
    base = Settings()
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Settings)}
    if toml_path is not None:
        data = tomllib.loads(toml_path.read_text())
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown settings in {toml_path}: {', '.join(sorted(unknown))}")
        values.update(data)
    for f in fields(Settings):
        if f.name == "argon2":
            parts = {
                sub: environ[f"{ENV_PREFIX}ARGON2__{sub.upper()}"]
                for sub in ("time_cost", "memory_kib", "parallelism")
                if f"{ENV_PREFIX}ARGON2__{sub.upper()}" in environ
            }
            if parts:
                values["argon2"] = {**dataclasses.asdict(base.argon2), **parts}
            continue
        if f.name in _TABLES:
            members = _table_from_environ(f.name, environ)
            if members:
                from_file = values.get(f.name)
                values[f.name] = {**(from_file if isinstance(from_file, Mapping) else {}), **members}
            continue
        if f.name == "federation":
            from_environ = _federation_from_environ(environ)
            if from_environ:
                values["federation"] = _merge_federation(values.get("federation"), from_environ)
            continue
        if f.name == "log_delivery":
            log_environ = _log_delivery_from_environ(environ)
            if log_environ:
                values["log_delivery"] = _merge_log_delivery(values.get("log_delivery"), log_environ)
            continue
        env_name = ENV_PREFIX + f.name.upper()
        if f.name == "triggers" and environ.get(env_name):
            values["triggers"] = merge_triggers(values.get("triggers"), environ[env_name])
            continue
        if env_name in environ and environ[env_name] != "":
            values[f.name] = environ[env_name]
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    coerced = {k: _coerce(k, v, getattr(base, k)) for k, v in values.items()}
    return dataclasses.replace(base, **coerced)
