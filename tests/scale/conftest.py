"""Fixtures of the scale-out tests: a PostgreSQL database of a test's own, and boto3 clients of a served URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import postgres


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """An empty PostgreSQL database for this test only (its servers migrate it)."""
    try:
        with postgres.server_url() as base, postgres.scratch_database(base) as url:
            yield url
    except (RuntimeError, sa.exc.OperationalError) as exc:
        pytest.skip(f"PostgreSQL is not available for the tests: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def served_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL several worker processes share: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'userpool.sqlite3'}"
    return str(request.getfixturevalue("scratch_postgres"))
