"""Fixtures of the scale-out tests: a PostgreSQL database of a test's own, the database URL a test's own
servers share, and the two-worker server per database that the racing tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import postgres
from tests.support.mail import smtp_inbox
from tests.support.processes import serving
from tests.support.races import Racing


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


# The tests on each database form one pytest-xdist group: one worker runs them, so the server starts once.
@pytest.fixture(
    scope="package",
    params=[
        pytest.param("sqlite", marks=pytest.mark.xdist_group("racing_sqlite")),
        pytest.param("postgresql", marks=[pytest.mark.postgresql, pytest.mark.xdist_group("racing_postgresql")]),
    ],
)
def racing(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Racing]:
    """``serve --workers 2`` on each database, its mail going to an inbox, shared by the tests of
    test_races.py and test_workers.py (each makes pools of its own): starting a two-worker server took
    longer than most of those tests."""
    data_dir = tmp_path_factory.mktemp("racing") / "data"
    with ExitStack() as stack:
        if request.param == "sqlite":
            database_url = f"sqlite:///{data_dir / 'userpool.sqlite3'}"
        else:
            try:
                database_url = stack.enter_context(
                    postgres.scratch_database(stack.enter_context(postgres.server_url()))
                )
            except (RuntimeError, sa.exc.OperationalError) as exc:
                pytest.skip(f"PostgreSQL is not available for the tests: {exc}")
        inbox, smtp_port = stack.enter_context(smtp_inbox())
        served = stack.enter_context(
            serving(data_dir, database_url, workers=2, USERPOOL_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}")
        )
        yield Racing(served.url, database_url, inbox)
