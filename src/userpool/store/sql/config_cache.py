"""Configuration kept per process: pools, app clients, domains, signing key ids, admin keys and risk
configurations, read, parsed and unsealed once per configuration generation (config_generation.py) instead of
on every request.

A read transaction reads the generation once, with its first cached read; what the process keeps for that
generation is what the database holds, since every configuration write changes it. A change committed by any
worker or instance is therefore seen by the next transaction that begins after it, anywhere. The cache holds one
generation's records: a transaction that reads another generation starts it over (any other generation, not
only a newer one: a restored backup goes back, and must not meet records kept from before). Write transactions
never use it: they read (and lock) what they change, and a configuration change they made is not yet in the
generation a PostgreSQL transaction reads before its commit.

What is kept is shared by every request of the process, so it is deep-frozen: its dicts and lists refuse changes
(``FrozenDict``, ``FrozenList``: model/frozen.py), and a copy (``dict(...)``, ``{**...}``, ``copy.deepcopy``) is an
ordinary dict or list again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables

from userpool.model.frozen import frozen
from userpool.store.sql.config_generation import CONFIGURATION_TABLES, read_generation
from userpool.store.sql.driver import Link

T = TypeVar("T")

# Records of one generation kept at most (first in, first out beyond): the few pools and clients a server
# serves fit many times over; a client with its pool, parsed, takes about 12 KiB (12 MiB when full).
CAPACITY = 1024

# Reads found absent kept at most, apart from the records (first in, first out beyond).
ABSENT_CAPACITY = 1024

# What ConfigCache.get answers for a record it does not hold.
MISSING: Any = object()
# What it holds for a read that found nothing (CachedRead.keep_absent).
ABSENT: Any = object()


class CachedRead:
    """A statement whose answer may be kept across requests: it may read configuration tables only, which is
    checked when it is declared (at import), so that nothing kept can change without the generation.

    Finding nothing is kept only with ``keep_absent``: for reads keyed by what the request has already found
    (a pool's risk configuration), and for a request's Host, which names no domain on the server's own URL
    (every client_credentials grant there would read the domains table again). Absent entries are kept apart
    from the records, in a bounded space of their own, so that keys a caller may invent (a Host) crowd out at
    most other absent entries, never the records in use; a ClientId or access key id found absent is not kept
    (only requests that fail would gain)."""

    __slots__ = ("keep_absent", "statement")

    def __init__(self, statement: sa.Select[Any], keep_absent: bool = False) -> None:
        tables: Iterable[sa.TableClause] = find_tables(statement, check_columns=True, include_joins=True)
        outside = {t.name for t in tables} - CONFIGURATION_TABLES
        if outside:
            raise ValueError(f"a cached read may read configuration tables only, not {sorted(outside)}")
        self.statement = statement
        self.keep_absent = keep_absent


class ConfigCache:
    """The records of one configuration generation a process has read, shared by its threads, and the reads
    of that generation that found nothing (``ABSENT``), kept apart (``CachedRead`` says why).

    Looking up takes no lock: the generation and its records are swapped together, as one tuple.
    """

    def __init__(self, capacity: int = CAPACITY, absent_capacity: int = ABSENT_CAPACITY) -> None:
        self._capacity = capacity
        self._absent_capacity = absent_capacity
        self._state: tuple[int | None, dict[Hashable, Any], dict[Hashable, Any]] = (None, {}, {})
        self._lock = threading.Lock()

    def get(self, generation: int, key: Hashable) -> Any:
        kept, records, absent = self._state
        if kept != generation:
            return MISSING
        found = records.get(key, MISSING)
        return absent.get(key, MISSING) if found is MISSING else found

    def put(self, generation: int, key: Hashable, value: Any) -> None:
        with self._lock:
            kept, records, absent = self._state
            if kept != generation:
                records, absent = {}, {}
                self._state = (generation, records, absent)
            space, capacity = (absent, self._absent_capacity) if value is ABSENT else (records, self._capacity)
            # Under PostgreSQL's READ COMMITTED a later read of the same generation may find what an earlier
            # one did not, or the reverse: the last read is kept, in one space only.
            (records if value is ABSENT else absent).pop(key, None)
            if key not in space and len(space) >= capacity:
                del space[next(iter(space))]
            space[key] = value


class ConfigReads:
    """What one read transaction takes from the process's cache.

    The generation is read before anything kept under it, so what is kept is at least as new as its generation:
    exactly that state in SQLite's snapshot, perhaps newer under PostgreSQL's READ COMMITTED (each statement
    sees what has committed when it starts). A transaction that reads generation g is therefore never given
    anything older than g, which is what the database itself would give it.
    """

    __slots__ = ("_cache", "_generation", "_link")

    def __init__(self, cache: ConfigCache, link: Link) -> None:
        self._cache = cache
        self._link = link
        self._generation: int | None = None

    def fetch(
        self, read: CachedRead, params: dict[str, Any], convert: Callable[[Sequence[sa.Row[Any]]], T | None]
    ) -> T | None:
        """``convert`` of the rows ``read`` answers with ``params`` (None: nothing found), frozen: kept for this
        generation, or read now."""
        generation = self._generation
        if generation is None:
            generation = self._generation = read_generation(self._link)
        key = (read, *params.values())
        found = self._cache.get(generation, key)
        if found is not MISSING:
            return None if found is ABSENT else found
        value = convert(self._link.sa.execute(read.statement, params).all())
        if value is None:
            if read.keep_absent:
                self._cache.put(generation, key, ABSENT)
            return None
        value = frozen(value)
        self._cache.put(generation, key, value)
        return value
