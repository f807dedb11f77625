"""Writing an export file into this server's database: one write transaction, committed only once the whole file
has been read and verified to its end record; any refusal (an altered line, a taken app client id, a pool that
exists) rolls it back, and nothing of the file is written. Records are written in batches as they are read.

The pool keeps its id and its app clients their ids: tokens, applications' settings and SRP's verifiers name
them. A pool domain is the server's, not the pool's: one another pool of this server holds is not imported, and
reported; the pool works without it (the server's own URL with its client ids) until it is given another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from userpool.crypto.export_keys import ExportKey
from userpool.crypto.sealing import Sealer
from userpool.store.sql.pool_transfer.file_format import Reader, TransferError, UnreadableFile
from userpool.store.sql.pool_transfer.parts import PART_BY_KIND, PARTS, Part
from userpool.store.sql.pool_transfer.records import to_row
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import pools

BATCH = 1000
_ORDER = {p.kind: i for i, p in enumerate(PARTS)}


class PoolExists(TransferError):
    pass


class KeyTaken(TransferError):
    """An app client id, signing key id or device key of the file that another pool of this server holds."""


@dataclass
class Imported:
    pool_id: str
    counts: dict[str, int] = field(default_factory=dict)
    # Domains of the file that another pool of this server holds: (domain, that pool's id).
    domains_taken: list[tuple[str, str]] = field(default_factory=list)


def _taken(conn: sa.Connection, part: Part, rows: list[dict[str, Any]]) -> dict[Any, str]:
    """The keys among ``rows`` that rows of this server already hold, and the pool holding each."""
    (name,) = part.key
    column = part.table.c[name]
    keys = [row[name] for row in rows]
    found = conn.execute(sa.select(column, part.table.c.pool_id).where(column.in_(keys)))
    return {key: pool for key, pool in found}


def _flush(conn: sa.Connection, part: Part, rows: list[dict[str, Any]], imported: Imported) -> None:
    if not rows:
        return
    if part.global_key:
        taken = _taken(conn, part, rows)
        if taken and part.kind == "domain":
            imported.domains_taken.extend(sorted(taken.items()))
            rows = [row for row in rows if row["domain"] not in taken]
        elif taken:
            key, holder = sorted(taken.items())[0]
            raise KeyTaken(f"{part.kind.replace('_', ' ')} {key} of the file belongs to pool {holder} of this server")
    if rows:
        try:
            conn.execute(part.table.insert(), rows)
        except sa.exc.IntegrityError as exc:
            raise TransferError(f"the file's {part.kind} records conflict with this server's: {exc.orig}") from None
        imported.counts[part.kind] = imported.counts.get(part.kind, 0) + len(rows)


def import_pool(store: SqlStore, sealer: Sealer, reader: Reader, key: ExportKey) -> Imported:
    """Write the pool of ``reader`` (unlocked with ``key``) into the database; what was written."""
    pool_id = reader.pool_id
    imported = Imported(pool_id)
    with store.bulk_write() as conn:
        if conn.execute(sa.select(pools.c.id).where(pools.c.id == pool_id)).first() is not None:
            raise PoolExists(f"pool {pool_id} exists on this server already")
        part: Part | None = None
        batch: list[dict[str, Any]] = []
        for number, record in reader.records():
            found = PART_BY_KIND.get(record["kind"])
            if found is None:
                raise UnreadableFile(f"line {number}: no record kind {record['kind']!r} in format version 1")
            if found is not part:
                if part is not None and _ORDER[found.kind] <= _ORDER[part.kind]:
                    raise UnreadableFile(f"line {number}: a {found.kind} record after the {part.kind} records")
                if part is None and found.kind != "pool":
                    raise UnreadableFile(f"line {number}: a {found.kind} record before the pool's")
                if part is not None:
                    _flush(conn, part, batch, imported)
                    batch = []
                part = found
            batch.append(to_row(part, record, pool_id, sealer, key, number))
            if len(batch) >= BATCH:
                _flush(conn, part, batch, imported)
                batch = []
        if part is None:
            raise UnreadableFile("the file holds no pool")
        _flush(conn, part, batch, imported)
    return imported
