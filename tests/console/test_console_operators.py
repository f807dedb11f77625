"""Console operators: the first one made at bootstrap (its password given once), and the CLI."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.conftest import make_settings
from userpool.app import build_runtime
from userpool.bootstrap import ensure_console_operator
from userpool.cli import main
from userpool.context import Ctx
from userpool.services.console.operators import SignInRefused, sign_in


def test_bootstrap__first_operator_is_made_once_and_can_sign_in(tmp_path: Path) -> None:
    runtime = build_runtime(make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    ctx = Ctx(deps=runtime.deps, request_id="t", now=runtime.deps.clock.now(), region="us-east-1")
    first = ensure_console_operator(ctx)
    assert first is not None and first.username == "admin"
    assert ensure_console_operator(ctx) is None
    assert sign_in(ctx, "admin", first.password)
    try:
        sign_in(ctx, "admin", first.password + "x")
    except SignInRefused as err:
        assert not err.locked
    runtime.store.dispose()


def test_console_admin__create_list_delete(tmp_path: Path) -> None:
    env = {"USERPOOL_ARGON2__MEMORY_KIB": "64", "USERPOOL_ARGON2__TIME_COST": "1", "USERPOOL_SECRET_KEYS": "k"}
    args = ["--data-dir", str(tmp_path)]
    runner = CliRunner()
    created = runner.invoke(
        main, ["console-admin", "create", "alice", "--password", "long-enough-pass", *args], env=env
    )
    assert created.exit_code == 0, created.output
    assert "alice" in runner.invoke(main, ["console-admin", "list", *args], env=env).output
    short = runner.invoke(main, ["console-admin", "create", "bob", "--password", "short", *args], env=env)
    assert short.exit_code != 0 and "12 to 256 characters" in short.output
    assert runner.invoke(main, ["console-admin", "delete", "alice", *args], env=env).exit_code == 0
    missing = runner.invoke(main, ["console-admin", "delete", "alice", *args], env=env)
    assert missing.exit_code != 0 and "no operator named alice" in missing.output
