"""First-start state: the server secret and the first admin credentials (kept in the data directory), and the
first admin console operator."""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from userpool.config import Settings
from userpool.context import Ctx
from userpool.ids import new_access_key_id, new_secret_access_key
from userpool.model.records import AdminKey
from userpool.services.console.operators import OperatorError, create_operator, list_operators
from userpool.store.base import Store

SECRET_FILE = "server-secret"  # noqa: S105 - a file name
CREDENTIALS_FILE = "admin-credentials.json"
# The data directory holds the database, the server secret and admin credentials: its owner's alone.
PRIVATE_DIR = 0o700

log = logging.getLogger("userpool")


def prepare_data_dir(path: Path) -> None:
    """Make the data directory, readable by its owner only. One that already exists keeps its mode (it may be
    a folder shared on purpose), but a warning says when others can read it."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("the data directory %s is open to other users (mode %o): chmod 700 it", path, mode)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def server_secrets(settings: Settings) -> tuple[str, ...]:
    """USERPOOL_SECRET_KEYS if set; otherwise a secret generated once into the data directory.

    Instances that share a PostgreSQL database must share these secrets: set USERPOOL_SECRET_KEYS.
    """
    if settings.secret_keys:
        return settings.secret_keys
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(32))
        except FileExistsError:
            pass  # another worker created it first
    return (path.read_text().strip(),)


# Where the admin credentials printed on start came from.
ENVIRONMENT = "environment"
GENERATED = "generated"
SAVED = "data directory"


@dataclass(frozen=True, slots=True)
class AdminCredentials:
    access_key_id: str
    secret_access_key: str
    source: str  # ENVIRONMENT, GENERATED or SAVED


def credentials_file(settings: Settings) -> Path:
    """Where the admin credentials generated on the first start are kept (0600)."""
    return settings.data_dir / CREDENTIALS_FILE


def ensure_admin_credentials(settings: Settings, store: Store, now: float) -> AdminCredentials | None:
    """The credentials to print on start.

    Keys given in the environment are used as they are. Otherwise, on first start, one key is generated,
    stored (sealed) in the database and written to the data directory (0600), where later starts point to it.
    """
    if settings.admin_access_key_id and settings.admin_secret_access_key:
        return AdminCredentials(settings.admin_access_key_id, settings.admin_secret_access_key, ENVIRONMENT)
    path = credentials_file(settings)
    if path.exists():
        saved = json.loads(path.read_text())
        with store.read() as tx:
            if tx.admin_keys.get(saved["access_key_id"]) is not None:
                return AdminCredentials(saved["access_key_id"], saved["secret_access_key"], SAVED)
    with store.read() as tx:
        if tx.admin_keys.list():
            return None  # keys exist (made with `userpool admin-key create`); nothing to show
    key = AdminKey(new_access_key_id(), new_secret_access_key(), "generated on first start", now)
    with store.write() as tx:
        tx.admin_keys.add(key)
    path.unlink(missing_ok=True)
    _write_private(path, json.dumps({"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}))
    return AdminCredentials(key.access_key_id, key.secret_access_key, GENERATED)


FIRST_OPERATOR = "admin"


@dataclass(frozen=True, slots=True)
class OperatorCredentials:
    username: str
    password: str


def ensure_console_operator(ctx: Ctx) -> OperatorCredentials | None:
    """The first admin console operator, made when there is none; its password is printed once and kept
    nowhere but as an argon2id hash (``userpool console-admin create`` makes more)."""
    if list_operators(ctx):
        return None
    password = secrets.token_urlsafe(18)
    try:
        create_operator(ctx, FIRST_OPERATOR, password)
    except OperatorError:
        return None  # another worker made it first
    return OperatorCredentials(FIRST_OPERATOR, password)
