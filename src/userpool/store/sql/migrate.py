"""Run the Alembic migrations programmatically (``userpool migrate``, and on every ``serve``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from userpool.crypto.sealing import Sealer

_HERE = Path(__file__).parent / "migrations"
# Any constant works: it only has to be the same for every instance sharing the database.
_PG_LOCK_KEY = 0x5553_4552_504F_4F4C % (2**63)


def alembic_config(connection: sa.Connection | None = None, sealer: Sealer | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    cfg.attributes["connection"] = connection
    # For revisions that seal data the database held in clear text (0011: queued messages).
    cfg.attributes["sealer"] = sealer
    return cfg


def upgrade(engine: Engine, sealer: Sealer | None = None) -> None:
    """Bring the schema to the newest revision; instances starting together wait for each other.

    ``sealer`` (the server secrets) seals what earlier schemas kept in clear text; without it, a revision
    that has such data to seal refuses to run."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
        try:
            command.upgrade(alembic_config(conn, sealer), "heads")
            conn.commit()
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
