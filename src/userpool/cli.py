"""The ``userpool`` command: serve, migrate, admin keys, console operators, token signing keys, the outbox, the
breached-password corpus, and pools' export and import."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from userpool.config import Settings, load_settings

if TYPE_CHECKING:
    from userpool.bootstrap import AdminCredentials


def _settings(ctx: click.Context, /, **flags: Any) -> Settings:
    config_path = ctx.obj.get("config") if ctx.obj else None
    return load_settings(toml_path=Path(config_path) if config_path else None, overrides=flags)


@click.group()
@click.option("--config", type=click.Path(exists=True, dir_okay=False), help="TOML settings file.")
@click.pass_context
def main(ctx: click.Context, /, config: str | None) -> None:
    """A self-hosted Amazon Cognito User Pools server."""
    # prometheus_client reads this when first imported; serve names a directory of its own for its workers
    # (monitoring/prometheus.py), and no other command keeps metrics.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.pop("prometheus_multiproc_dir", None)
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


def _data_options(fn: Any) -> Any:
    fn = click.option("--data-dir", type=click.Path(file_okay=False), help="Folder for the SQLite file and secrets.")(
        fn
    )
    fn = click.option("--database-url", help="Database URL (postgresql://...); default SQLite in the data dir.")(fn)
    return fn


def _say(settings: Settings, lines: list[str]) -> None:
    """Print what serve says at start: as text, or as JSON lines like the log's (log.format)."""
    from userpool.monitoring.logs import printed_lines

    # Text ends with an empty line, to set it apart from the log lines that follow.
    click.echo("\n".join(printed_lines(settings, lines)) + ("\n" if settings.log.format == "text" else ""))


def _print_banner(settings: Settings, creds: AdminCredentials | None) -> None:
    from userpool.bootstrap import GENERATED, SAVED, credentials_file

    url = settings.base_url
    lines = [
        "",
        f"userpool is serving the Cognito API at {url}",
        f"  database: {'PostgreSQL' if settings.database_url.startswith('postgres') else 'SQLite'}"
        f"  data dir: {settings.data_dir}  workers: {settings.worker_count}",
    ]
    if settings.dev:
        lines.append("  DEV MODE: signatures are not checked; do not expose this server.")
    if creds is not None and creds.source == GENERATED:
        # Printed on the start that made it only: a banner often ends up in a service's log.
        key, secret = creds.access_key_id, creds.secret_access_key
        lines += [
            f"  admin credentials (generated now, shown this once; kept in {credentials_file(settings)}):",
            f"    AWS_ACCESS_KEY_ID={key}",
            f"    AWS_SECRET_ACCESS_KEY={secret}",
            "",
            "  import boto3",
            f'  idp = boto3.client("cognito-idp", endpoint_url="{url}", region_name="{settings.region}",',
            f'                     aws_access_key_id="{key}", aws_secret_access_key="{secret}")',
        ]
    elif creds is not None:
        where = f"in {credentials_file(settings)}" if creds.source == SAVED else "from USERPOOL_ADMIN_SECRET_ACCESS_KEY"
        lines += [
            f"  admin credentials ({creds.source}):",
            f"    AWS_ACCESS_KEY_ID={creds.access_key_id}",
            f"    AWS_SECRET_ACCESS_KEY {where}",
        ]
    elif not settings.dev:
        lines.append("  admin keys: see `userpool admin-key list` (secrets are shown only when created)")
    _say(settings, lines)


@main.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 9229).")
@_data_options
@click.option("--dev", is_flag=True, default=None, help="Accept any SigV4 signature (local use only).")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="Serve HTTPS with this PEM certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="The PEM private key of --tls-cert.")
@click.option("--tls", type=click.Choice(["self-signed"]), help="Serve HTTPS with a local certificate (data dir).")
@click.option("--workers", type=click.IntRange(min=0), help="Worker processes (default: one per CPU core).")
@click.pass_context
def serve(ctx: click.Context, /, **flags: Any) -> None:
    """Run the server (migrates the database first)."""
    import uvicorn

    from userpool.app import build_runtime, create_app
    from userpool.bootstrap import ensure_admin_credentials
    from userpool.connections import http_protocol, server_options
    from userpool.geoip.maxmind import GeoIpDatabaseError
    from userpool.monitoring.logs import configure_logging, uvicorn_log_options

    settings = _settings(ctx, **flags)
    configure_logging(settings)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    ssl = _tls_files(settings)
    try:
        runtime = build_runtime(settings)
    except GeoIpDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    creds = ensure_admin_credentials(settings, runtime.store, runtime.deps.clock.now())
    _print_banner(settings, creds)
    _print_console(settings, runtime)
    workers = settings.worker_count
    sys.stdout.flush()
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,
        **uvicorn_log_options(settings),
        "ssl_certfile": str(ssl.cert) if ssl else None,
        "ssl_keyfile": str(ssl.key) if ssl else None,
        **server_options(settings, serves_tls=ssl is not None),
    }
    if workers == 1:
        uvicorn.run(create_app(settings, runtime=runtime), http=http_protocol(settings), **options)
        return
    _serve_workers(settings, runtime, {k: v for k, v in options.items() if k not in ("host", "port")})


def _serve_workers(settings: Settings, runtime: Any, options: dict[str, Any]) -> None:
    """Pre-fork: the database is migrated and the first-start state made (above, once); then the workers
    start, each building its own app from the same settings (workers.py)."""
    from userpool.workers import AddressInUse, serve_workers

    runtime.store.dispose()  # each worker opens its own connections
    try:
        status = serve_workers(settings, options)
    except AddressInUse as exc:
        raise click.ClickException(str(exc)) from exc
    if status:
        raise SystemExit(status)


def _tls_files(settings: Settings) -> Any:
    """The certificate and key to serve HTTPS with, if any; a local one is made and explained."""
    from urllib.parse import urlsplit

    from userpool.bootstrap import prepare_data_dir
    from userpool.tls import SELF_SIGNED, TlsFiles, self_signed, trust_instructions

    if settings.tls_cert or settings.tls_key:
        if not (settings.tls_cert and settings.tls_key):
            raise click.UsageError("--tls-cert and --tls-key go together")
        return TlsFiles(Path(settings.tls_cert), Path(settings.tls_key))
    if not settings.tls:
        return None
    if settings.tls != SELF_SIGNED:
        raise click.UsageError("--tls takes 'self-signed'")
    hosts = [h for h in (settings.host, urlsplit(settings.base_url).hostname or "") if h and h != "0.0.0.0"]  # noqa: S104
    if settings.auth_domain_suffix:
        hosts.append(f"*.{settings.auth_domain_suffix}")
    prepare_data_dir(settings.data_dir)
    files = self_signed(settings.data_dir, hosts)
    assert files.authority is not None
    _say(settings, trust_instructions(files.authority))
    return files


@main.command()
@_data_options
@click.pass_context
def migrate(ctx: click.Context, /, **flags: Any) -> None:
    """Bring the database schema up to date."""
    from userpool.bootstrap import prepare_data_dir, server_secrets
    from userpool.crypto.sealing import Sealer
    from userpool.store.sql import migrate as migrations
    from userpool.store.sql.engine import make_engine

    settings = _settings(ctx, **flags)
    prepare_data_dir(settings.data_dir)
    migrations.upgrade(make_engine(settings.effective_database_url), Sealer(server_secrets(settings)))
    click.echo("database is up to date")


@main.group("admin-key")
def admin_key() -> None:
    """Manage the access keys that may sign admin API calls."""


@admin_key.command("create")
@_data_options
@click.option("--description", default=None)
@click.pass_context
def admin_key_create(ctx: click.Context, /, description: str | None, **flags: Any) -> None:
    from userpool.app import build_runtime
    from userpool.ids import new_access_key_id, new_secret_access_key
    from userpool.model.records import AdminKey

    runtime = build_runtime(_settings(ctx, **flags))
    key = AdminKey(new_access_key_id(), new_secret_access_key(), description, runtime.deps.clock.now())
    with runtime.store.write() as tx:
        tx.admin_keys.add(key)
    runtime.store.dispose()
    click.echo(json.dumps({"AccessKeyId": key.access_key_id, "SecretAccessKey": key.secret_access_key}, indent=2))


@admin_key.command("list")
@_data_options
@click.pass_context
def admin_key_list(ctx: click.Context, /, **flags: Any) -> None:
    from userpool.app import build_runtime

    runtime = build_runtime(_settings(ctx, **flags))
    with runtime.store.read() as tx:
        keys = tx.admin_keys.list()
    runtime.store.dispose()
    for key in keys:
        click.echo(f"{key.access_key_id}\t{key.description or ''}")


@admin_key.command("delete")
@click.argument("access_key_id")
@_data_options
@click.pass_context
def admin_key_delete(ctx: click.Context, /, access_key_id: str, **flags: Any) -> None:
    from userpool.app import build_runtime
    from userpool.store.base import NotFound

    runtime = build_runtime(_settings(ctx, **flags))
    try:
        with runtime.store.write() as tx:
            tx.admin_keys.delete(access_key_id)
    except NotFound:
        raise click.ClickException(f"no admin key {access_key_id}") from None
    finally:
        runtime.store.dispose()
    click.echo(f"deleted {access_key_id}")


@main.command()
@_data_options
@click.option("--limit", default=20, show_default=True, help="How many of the newest messages.")
@click.pass_context
def outbox(ctx: click.Context, /, limit: int, **flags: Any) -> None:
    """Show the newest email and SMS messages (for local development with the log sender).

    The text of a message is shown while the server keeps it: until a mail server or SMS webhook has
    delivered it, and for an hour when the log sender keeps it here."""
    from userpool.app import build_runtime

    runtime = build_runtime(_settings(ctx, **flags))
    with runtime.store.read() as tx:
        entries = tx.outbox.recent(limit)
        texts = {m.id: m for m in tx.outbox.recent_texts(limit)}
    runtime.store.dispose()
    for entry in entries:
        click.echo(f"--- #{entry.id} {entry.channel} to {entry.destination} [{entry.status}]")
        message = texts.get(entry.id)
        if message is None:
            click.echo("(text no longer kept, or sealed with server secrets other than these)")
            continue
        if message.subject:
            click.echo(f"Subject: {message.subject}")
        click.echo(message.body)


@main.group("keys")
def keys() -> None:
    """Manage the keys that sign a pool's ID and access tokens, and the identity pools' OpenID tokens."""


@keys.command("rotate")
@click.option("--pool-id", default=None, help="The user pool whose signing keys to rotate.")
@click.option("--identity-pools", is_flag=True, help="Rotate the key of the identity pools' OpenID tokens instead.")
@_data_options
@click.pass_context
def keys_rotate(ctx: click.Context, /, pool_id: str | None, identity_pools: bool, **flags: Any) -> None:
    """Start signing with new keys; tokens signed with the old ones keep verifying until they expire."""
    from userpool.app import build_runtime
    from userpool.context import Ctx
    from userpool.errors import CognitoError
    from userpool.services.identity_pools.steps.openid_tokens import rotate_identity_keys
    from userpool.services.tokens.steps.signing_keys import rotate_signing_keys

    if (pool_id is None) == (not identity_pools):
        raise click.UsageError("Give either --pool-id or --identity-pools.")
    settings = _settings(ctx, **flags)
    runtime = build_runtime(settings)
    call = Ctx(deps=runtime.deps, request_id="cli", now=runtime.deps.clock.now(), region=settings.region)
    try:
        if pool_id is None:
            kid = rotate_identity_keys(call)
            answer: dict[str, Any] = {"IdentityIssuer": settings.identity_issuer, "CurrentKeyIds": [kid]}
        else:
            answer = {"UserPoolId": pool_id, "CurrentKeyIds": rotate_signing_keys(call, pool_id)}
    except CognitoError as err:
        raise click.ClickException(err.message) from None
    finally:
        runtime.store.dispose()
    click.echo(json.dumps(answer, indent=2))


def _print_console(settings: Settings, runtime: Any) -> None:
    """Where the admin console is and, on the first start, its first operator's password (shown only now)."""
    from userpool.bootstrap import ensure_console_operator
    from userpool.context import Ctx

    call = Ctx(deps=runtime.deps, request_id="bootstrap", now=runtime.deps.clock.now(), region=settings.region)
    first = ensure_console_operator(call)
    lines = [f"  admin console: {settings.base_url}/console/"]
    if first:
        lines += [
            f"    operator: {first.username}  password: {first.password}",
            "    (shown once; `userpool console-admin create` adds operators)",
        ]
    _say(settings, lines)


@main.group("console-admin")
def console_admin() -> None:
    """Manage the operators who may sign in to the admin console."""


def _operator_call(ctx: click.Context, flags: dict[str, Any]) -> Any:
    from userpool.app import build_runtime
    from userpool.context import Ctx

    settings = _settings(ctx, **flags)
    runtime = build_runtime(settings)
    return runtime, Ctx(deps=runtime.deps, request_id="cli", now=runtime.deps.clock.now(), region=settings.region)


@console_admin.command("create")
@click.argument("username")
@click.option("--password", help="The password (at least 12 characters); asked for when not given.")
@_data_options
@click.pass_context
def console_admin_create(ctx: click.Context, /, username: str, password: str | None, **flags: Any) -> None:
    """Add a console operator."""
    from userpool.services.console.operators import OperatorError, create_operator

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    runtime, call = _operator_call(ctx, flags)
    try:
        create_operator(call, username, password or "")
    except OperatorError as err:
        raise click.ClickException(str(err)) from None
    finally:
        runtime.store.dispose()
    click.echo(f"created console operator {username}")


@console_admin.command("list")
@_data_options
@click.pass_context
def console_admin_list(ctx: click.Context, /, **flags: Any) -> None:
    """List console operators (name, last sign-in, lock)."""
    import datetime

    from userpool.services.console.operators import list_operators

    runtime, call = _operator_call(ctx, flags)
    try:
        operators = list_operators(call)
    finally:
        runtime.store.dispose()

    def when(t: float | None) -> str:
        return datetime.datetime.fromtimestamp(t, datetime.UTC).isoformat(timespec="seconds") if t else "-"

    for op in operators:
        locked = " locked" if op.locked_until and op.locked_until > call.now else ""
        click.echo(f"{op.username}\tlast sign-in {when(op.last_sign_in_at)}{locked}")


@console_admin.command("delete")
@click.argument("username")
@_data_options
@click.pass_context
def console_admin_delete(ctx: click.Context, /, username: str, **flags: Any) -> None:
    """Remove a console operator; its sessions end at once."""
    from userpool.services.console.operators import OperatorError, delete_operator

    runtime, call = _operator_call(ctx, flags)
    try:
        delete_operator(call, username)
    except OperatorError as err:
        raise click.ClickException(str(err)) from None
    finally:
        runtime.store.dispose()
    click.echo(f"deleted console operator {username}")


@main.group("breached-passwords")
def breached_passwords() -> None:
    """Manage the corpus of breached passwords that threat protection's compromised-credentials check uses."""


@breached_passwords.command("import")
@click.argument("source", type=click.File("rb", lazy=False))
@click.option(
    "--min-count",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Keep only hashes seen at least this often (needs the list's counts).",
)
@click.option(
    "--corpus",
    "breached_passwords_path",
    type=click.Path(dir_okay=False),
    help="Where to write it (default: the breached_passwords_path setting, else breached-passwords.bin in the "
    "data dir).",
)
@click.option("--data-dir", type=click.Path(file_okay=False), help="The server's data folder.")
@click.pass_context
def breached_passwords_import(ctx: click.Context, /, source: Any, min_count: int, **flags: Any) -> None:
    """Import SOURCE, Have I Been Pwned's Pwned Passwords list of SHA-1 hashes ('-' reads standard input).

    Lines are 40 hex digits, optionally ':' and a count, sorted by hash (other orders take longer). The new
    corpus replaces the old one at once; running servers pick it up within seconds."""
    from userpool.bootstrap import prepare_data_dir
    from userpool.breached.importer import MalformedInput, import_corpus

    settings = _settings(ctx, **flags)
    destination = settings.breached_passwords_file
    if not settings.breached_passwords_path:
        prepare_data_dir(settings.data_dir)
    name = getattr(source, "name", "-")
    try:
        summary = import_corpus(source, destination, min_count)
    except MalformedInput as err:
        raise click.ClickException(f"{name}, {err}; nothing was imported") from None
    except ValueError as err:
        raise click.ClickException(f"{name}: {err}; nothing was imported") from None
    except OSError as err:
        raise click.ClickException(f"cannot import into {destination}: {err.strerror or err}") from None
    details = [f"{summary.lines:,} lines"]
    if summary.below_min_count:
        details.append(f"{summary.below_min_count:,} seen fewer than {min_count:,} times")
    if summary.duplicates:
        details.append(f"{summary.duplicates:,} repeated")
    if not summary.in_order:
        details.append("sorted, the input being out of order")
    click.echo(
        f"imported {summary.entries:,} hashes into {destination} in {summary.seconds:.1f} s ({'; '.join(details)})"
    )


# The passphrase of an export file when no --key-file is given; else it is asked for.
EXPORT_PASSPHRASE_ENV = "USERPOOL_EXPORT_PASSPHRASE"  # noqa: S105 (a variable's name)
_MIN_PASSPHRASE = 12
_MIN_KEY_FILE = 16


def _export_secret(key_file: str | None, confirm: bool) -> bytes:
    """The operator's secret for an export file: the bytes of --key-file, else the passphrase of
    USERPOOL_EXPORT_PASSPHRASE, else one typed at a prompt."""
    if key_file:
        data = Path(key_file).read_bytes()
        if len(data) < _MIN_KEY_FILE:
            raise click.ClickException(
                f"{key_file} holds {len(data)} bytes; a key file holds at least {_MIN_KEY_FILE} "
                "(e.g. `head -c 32 /dev/urandom > pool.key`)"
            )
        return data
    passphrase = os.environ.get(EXPORT_PASSPHRASE_ENV) or click.prompt(
        "Passphrase of the export file", hide_input=True, confirmation_prompt=confirm, err=True
    )
    if len(passphrase) < _MIN_PASSPHRASE:
        raise click.ClickException(f"the passphrase must have at least {_MIN_PASSPHRASE} characters")
    return str(passphrase).encode("utf-8")


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind.replace('_', ' ')} {n:,}" for kind, n in counts.items())


_KEY_FILE_HELP = (
    "Seal the file's secrets under a key derived from this file's bytes (default: a passphrase from "
    f"{EXPORT_PASSPHRASE_ENV} or the prompt)."
)


@main.command("export")
@click.argument("pool_id")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False), help=_KEY_FILE_HELP)
@click.option(
    "--salt-of",
    type=click.Path(exists=True, dir_okay=False),
    metavar="EARLIER_FILE",
    help="Derive the key with the salt and scrypt cost of this earlier export, which the passphrase or key file "
    "must open: an export of an unchanged pool is then byte-identical to it (`cmp` compares the two).",
)
@_data_options
@click.pass_context
def export_command(
    ctx: click.Context, /, pool_id: str, file: str, key_file: str | None, salt_of: str | None, **flags: Any
) -> None:
    """Write pool POOL_ID, with its users, clients and keys, to FILE ('-': standard output), for `userpool import`
    on another server (docs/pool-export.md). Secrets are sealed under the passphrase or key file, not the
    server's."""
    from userpool.store.sql.pool_transfer.file_format import TransferError
    from userpool.store.sql.pool_transfer.run import export_to

    settings = _settings(ctx, **flags)
    secret = _export_secret(key_file, confirm=True)
    try:
        counts = export_to(settings, pool_id, file, secret, salt_of)
    except TransferError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"exported pool {pool_id} to {file}: {_counted(counts)}", err=True)


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False), help=_KEY_FILE_HELP)
@_data_options
@click.pass_context
def import_command(ctx: click.Context, /, file: str, key_file: str | None, **flags: Any) -> None:
    """Write the pool of FILE, made by `userpool export` ('-': standard input), into this server's database: all
    of it in one transaction, or nothing. The pool keeps its id; one that exists here is refused."""
    from userpool.store.sql.pool_transfer.file_format import TransferError
    from userpool.store.sql.pool_transfer.run import import_from

    settings = _settings(ctx, **flags)
    try:
        imported = import_from(settings, file, lambda: _export_secret(key_file, confirm=False))
    except TransferError as err:
        raise click.ClickException(f"{file}: {err}; nothing was imported") from None
    click.echo(f"imported pool {imported.pool_id} from {file}: {_counted(imported.counts)}")
    for domain, holder in imported.domains_taken:
        click.echo(
            f"domain {domain} was not imported: pool {holder} of this server has it; give the pool another "
            "with CreateUserPoolDomain"
        )
