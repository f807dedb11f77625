"""Shared row mechanics of the SQL repositories: integrity errors to Conflict, keyset pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from userpool.model.records import Page
from userpool.store.base import Conflict

T = TypeVar("T")


def _constraint(exc: IntegrityError) -> str:
    """What names the refused constraint. PostgreSQL reports the constraint's name; its message also quotes
    the row's values, which may hold any text (an alias "email:username_norm@example.com" would read as the
    username's constraint). SQLite reports only a message, which names the table and columns, not values."""
    name = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    return str(name) if name else str(exc.orig)


@contextmanager
def conflicts_as(field_by_constraint: dict[str, str], default: str) -> Iterator[None]:
    """Turn a unique-constraint failure into Conflict(field), naming the field from the constraint."""
    try:
        yield
    except IntegrityError as exc:
        text = _constraint(exc)
        for needle, field in field_by_constraint.items():
            if needle in text:
                raise Conflict(field) from exc
        raise Conflict(default) from exc


def keyset_page(
    rows: Sequence[Any], limit: int, convert: Callable[[Any], T], cursor_of: Callable[[Any], str]
) -> Page[T]:
    """``rows`` was fetched with ``limit + 1``: the extra row only says that another page exists."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([convert(r) for r in rows], cursor_of(rows[-1]) if more and rows else None)


def count(conn: sa.Connection, table: sa.Table, *where: Any) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())
