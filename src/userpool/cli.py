"""The ``userpool`` command: serve, migrate, admin keys, token signing keys and the outbox."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from userpool.config import Settings, load_settings


def _settings(ctx: click.Context, /, **flags: Any) -> Settings:
    config_path = ctx.obj.get("config") if ctx.obj else None
    return load_settings(toml_path=Path(config_path) if config_path else None, overrides=flags)


@click.group()
@click.option("--config", type=click.Path(exists=True, dir_okay=False), help="TOML settings file.")
@click.pass_context
def main(ctx: click.Context, /, config: str | None) -> None:
    """A self-hosted Amazon Cognito User Pools server."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


def _data_options(fn: Any) -> Any:
    fn = click.option("--data-dir", type=click.Path(file_okay=False), help="Folder for the SQLite file and secrets.")(
        fn
    )
    fn = click.option("--database-url", help="Database URL (postgresql://...); default SQLite in the data dir.")(fn)
    return fn


def _print_banner(settings: Settings, access_key_id: str | None, secret: str | None, source: str) -> None:
    url = settings.base_url
    lines = [
        "",
        f"userpool is serving the Cognito API at {url}",
        f"  database: {'PostgreSQL' if settings.database_url.startswith('postgres') else 'SQLite'}"
        f"  data dir: {settings.data_dir}",
    ]
    if settings.dev:
        lines.append("  DEV MODE: signatures are not checked; do not expose this server.")
    if access_key_id and secret:
        lines += [
            f"  admin credentials ({source}):",
            f"    AWS_ACCESS_KEY_ID={access_key_id}",
            f"    AWS_SECRET_ACCESS_KEY={secret}",
            "",
            "  import boto3",
            f'  idp = boto3.client("cognito-idp", endpoint_url="{url}", region_name="{settings.region}",',
            f'                     aws_access_key_id="{access_key_id}", aws_secret_access_key="{secret}")',
        ]
    elif not settings.dev:
        lines.append("  admin keys: see `userpool admin-key list` (secrets are shown only when created)")
    click.echo("\n".join(lines) + "\n", err=False)


@main.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 9229).")
@_data_options
@click.option("--dev", is_flag=True, default=None, help="Accept any SigV4 signature (local use only).")
@click.pass_context
def serve(ctx: click.Context, /, **flags: Any) -> None:
    """Run the server (migrates the database first)."""
    import uvicorn

    from userpool.app import build_runtime, create_app
    from userpool.bootstrap import ensure_admin_credentials

    settings = _settings(ctx, **flags)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    runtime = build_runtime(settings)
    creds = ensure_admin_credentials(settings, runtime.store, runtime.deps.clock.now())
    _print_banner(
        settings,
        creds.access_key_id if creds else None,
        creds.secret_access_key if creds else None,
        creds.source if creds else "",
    )
    sys.stdout.flush()
    app = create_app(settings, runtime=runtime)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False)


@main.command()
@_data_options
@click.pass_context
def migrate(ctx: click.Context, /, **flags: Any) -> None:
    """Bring the database schema up to date."""
    from userpool.store.sql import migrate as migrations
    from userpool.store.sql.engine import make_engine

    settings = _settings(ctx, **flags)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(make_engine(settings.effective_database_url))
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
    """Show the newest email and SMS messages (for local development with the log sender)."""
    from userpool.app import build_runtime

    runtime = build_runtime(_settings(ctx, **flags))
    with runtime.store.read() as tx:
        messages = tx.outbox.recent(limit)
    runtime.store.dispose()
    for m in messages:
        click.echo(f"--- #{m.id} {m.channel} to {m.destination} [{m.status}]")
        if m.subject:
            click.echo(f"Subject: {m.subject}")
        click.echo(m.body)


@main.group("keys")
def keys() -> None:
    """Manage the keys that sign a pool's ID and access tokens."""


@keys.command("rotate")
@click.option("--pool-id", required=True, help="The user pool whose signing keys to rotate.")
@_data_options
@click.pass_context
def keys_rotate(ctx: click.Context, /, pool_id: str, **flags: Any) -> None:
    """Start signing with new keys; tokens signed with the old ones keep verifying until they expire."""
    from userpool.app import build_runtime
    from userpool.context import Ctx
    from userpool.errors import CognitoError
    from userpool.services.signing_keys import rotate_signing_keys

    settings = _settings(ctx, **flags)
    runtime = build_runtime(settings)
    call = Ctx(deps=runtime.deps, request_id="cli", now=runtime.deps.clock.now(), region=settings.region)
    try:
        kids = rotate_signing_keys(call, pool_id)
    except CognitoError as err:
        raise click.ClickException(err.message) from None
    finally:
        runtime.store.dispose()
    click.echo(json.dumps({"UserPoolId": pool_id, "CurrentKeyIds": kids}, indent=2))
