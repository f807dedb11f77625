"""Writing a whole pool to an export file: one snapshot of the database, read table by table in the order of
parts.py and streamed to the file in batches, so that a pool of a million users never sits in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa

from userpool.crypto.export_keys import ExportKey
from userpool.crypto.sealing import Sealer
from userpool.store.sql.pool_transfer.file_format import TransferError, Writer, new_header
from userpool.store.sql.pool_transfer.parts import PARTS, Part
from userpool.store.sql.pool_transfer.records import to_record
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import pools

BATCH = 1000


class NoSuchPool(TransferError):
    pass


def schema_revision(conn: sa.Connection) -> str | None:
    """The Alembic revision the database is at (the file names it; a reader reads by format version, not by it)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    found = sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    return ",".join(found) or None


def _order(part: Part, postgres: bool) -> list[Any]:
    """The part's rows in the order of its key, byte-wise on both databases, so that two exports of one pool list
    its rows alike whichever database each came from."""
    keys = [part.table.c[name] for name in part.key]
    return [sa.collate(c, "C") if postgres and isinstance(c.type, sa.String) else c for c in keys]


def _rows(conn: sa.Connection, part: Part, pool_id: str, now: float) -> Iterator[sa.RowMapping]:
    table = part.table
    query = sa.select(table).where(table.c[part.scope] == pool_id)
    if part.live is not None:
        query = query.where(part.live(table, now))
    query = query.order_by(*_order(part, conn.dialect.name == "postgresql"))
    # A server-side cursor on PostgreSQL, fetched BATCH rows at a time; SQLite's cursor steps through rows anyway.
    result = conn.execute(query, execution_options={"yield_per": BATCH})
    for row in result:
        yield row._mapping


def export_pool(
    store: SqlStore, sealer: Sealer, pool_id: str, out: IO[bytes], key: ExportKey, now: float
) -> dict[str, int]:
    """Write pool ``pool_id`` to ``out``, its secrets sealed under ``key``; the number of records of each kind
    written. NoSuchPool when the database has no such pool.

    The file is a function of the pool's rows and the key: records in the order of their keys, values sealed
    deterministically. ``now`` only decides which SAML assertions are still kept against replay."""
    with store.snapshot() as conn:
        if conn.execute(sa.select(pools.c.id).where(pools.c.id == pool_id)).first() is None:
            raise NoSuchPool(f"there is no pool {pool_id} in this server's database")
        writer = Writer(out, key, new_header(pool_id, schema_revision(conn), key))
        for part in PARTS:
            for row in _rows(conn, part, pool_id, now):
                writer.write(to_record(part, row, sealer, key))
        writer.end()
    return writer.counts
