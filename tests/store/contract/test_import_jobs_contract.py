"""User import jobs' rows on SQLite and PostgreSQL: a job kept exactly and updated, listed newest first across
pages, claimed by exactly one of racing workers and taken over once its lease has run out, expired when not
started in time, its skipped and failed lines in line order, and all of it gone with its pool."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_pool, race, rows_in
from userpool.model.import_jobs import ImportJob, ImportStatus, RowOutcome, RowResult
from userpool.store.base import Conflict
from userpool.store.sql.store import SqlStore

ROLE = "arn:aws:iam::123456789012:role/import"


def _job(pool_id: str, job_id: str, at: float = NOW, **fields: object) -> ImportJob:
    job = ImportJob(pool_id, job_id, "name", ImportStatus.CREATED, ROLE, None, at)
    return replace(job, **fields)  # type: ignore[arg-type]


@covers("ImportJobRepo.add", "ImportJobRepo.get", "ImportJobRepo.update")
def test_import_jobs__round_trip_and_update(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        job = _job(pool.id, "import-aaaaaaaaaa", hash_algorithm="SCRYPT")
        tx.import_jobs.add(job)
    with pytest.raises(Conflict), store.write() as tx:
        tx.import_jobs.add(job)
    with store.write() as tx:
        assert tx.import_jobs.get(job.job_id) == job
        assert tx.import_jobs.get("import-nothere000") is None
        changed = replace(
            job,
            status=ImportStatus.IN_PROGRESS,
            started_at=NOW + 1,
            imported=10**10,
            skipped=2,
            failed=3,
            file_bytes=123_456_789,
            file_rows=400_000,
            offset=99_999,
            line=1234,
            worker="host:1:abc",
            lease_until=NOW + 120.5,
            completion_message="message",
        )
        tx.import_jobs.update(changed)
    with store.read() as tx:
        assert tx.import_jobs.get(job.job_id, for_update=False) == changed


@covers("ImportJobRepo.of_pool")
def test_import_jobs__newest_first_across_pages(store: SqlStore) -> None:
    with store.write() as tx:
        pool, other = new_pool(tx), new_pool(tx, "us-east-1_Contract2")
        ids = [f"import-{i:010d}" for i in range(5)]
        for i, job_id in enumerate(ids):
            tx.import_jobs.add(_job(pool.id, job_id, NOW + (i // 2)))  # two share each time
        tx.import_jobs.add(_job(other.id, "import-elsewhere0"))
    seen: list[str] = []
    after = None
    with store.read() as tx:
        while True:
            page = tx.import_jobs.of_pool(pool.id, 2, after)
            seen += [job.job_id for job in page.items]
            if page.next_cursor is None:
                break
            after = page.next_cursor
    assert seen == list(reversed(ids))


@covers("ImportJobRepo.claim", "ImportJobRepo.claimable")
def test_import_jobs__one_worker_of_many_claims(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        tx.import_jobs.add(_job(pool.id, "import-pending00", status=ImportStatus.PENDING, started_at=NOW))
        tx.import_jobs.add(_job(pool.id, "import-created00"))
        assert tx.import_jobs.claimable(NOW, ["import-pending00", "import-created00", "import-nothere0"]) == [
            "import-pending00"
        ]
        assert tx.import_jobs.claimable(NOW, []) == []
    claims = race(store, lambda tx: tx.import_jobs.claim("import-pending00", "w", NOW, NOW + 120))
    won = [c for c in claims if c is not None]
    assert len(won) == 1
    assert (won[0].status, won[0].worker, won[0].lease_until) == (ImportStatus.IN_PROGRESS, "w", NOW + 120)
    with store.write() as tx:
        assert tx.import_jobs.claimable(NOW + 60, ["import-pending00"]) == []
        assert tx.import_jobs.claim("import-pending00", "other", NOW + 60, NOW + 180) is None
        assert tx.import_jobs.claim("import-created00", "other", NOW, NOW + 120) is None
        # The lease ran out: the worker died; another takes the job over as it was.
        assert tx.import_jobs.claimable(NOW + 121, ["import-pending00"]) == ["import-pending00"]
        taken = tx.import_jobs.claim("import-pending00", "other", NOW + 121, NOW + 241)
        assert taken is not None and (taken.worker, taken.status) == ("other", ImportStatus.IN_PROGRESS)
        tx.import_jobs.update(replace(taken, status=ImportStatus.STOPPING, lease_until=NOW))
        stopping = tx.import_jobs.claim("import-pending00", "third", NOW + 1, NOW + 121)
        assert stopping is not None and stopping.status == ImportStatus.STOPPING


@covers("ImportJobRepo.expire", "ImportJobRepo.active_in_pool")
def test_import_jobs__expired_unstarted_and_active(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        tx.import_jobs.add(_job(pool.id, "import-old000000", NOW - 100))
        tx.import_jobs.add(_job(pool.id, "import-new000000", NOW + 100))
        assert tx.import_jobs.active_in_pool(pool.id) is False
        tx.import_jobs.add(_job(pool.id, "import-running00", NOW - 100, status=ImportStatus.PENDING))
        assert tx.import_jobs.active_in_pool(pool.id) is True
        assert tx.import_jobs.expire(NOW, NOW + 1) == ["import-old000000"]
        assert tx.import_jobs.expire(NOW, NOW + 1) == []
    with store.read() as tx:
        old = tx.import_jobs.get("import-old000000")
        assert old is not None and (old.status, old.completed_at) == (ImportStatus.EXPIRED, NOW + 1)
        assert old.completion_message
        new = tx.import_jobs.get("import-new000000")
        assert new is not None and new.status == ImportStatus.CREATED


@covers("ImportJobRepo.add_results", "ImportJobRepo.results")
def test_import_jobs__results_in_line_order_and_gone_with_the_pool(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        tx.import_jobs.add(_job(pool.id, "import-results00"))
        tx.import_jobs.add_results("import-results00", [])
        tx.import_jobs.add_results(
            "import-results00",
            [RowResult(7, RowOutcome.FAILED, "why " * 200), RowResult(3, RowOutcome.SKIPPED, "The user exists.")],
        )
        tx.import_jobs.add_results("import-results00", [RowResult(12, RowOutcome.FAILED, "late")])
    with store.read() as tx:
        everything = tx.import_jobs.results("import-results00", 10)
        assert [(r.line, r.outcome) for r in everything] == [
            (3, RowOutcome.SKIPPED),
            (7, RowOutcome.FAILED),
            (12, RowOutcome.FAILED),
        ]
        assert everything[1].reason == "why " * 200
        assert [r.line for r in tx.import_jobs.results("import-results00", 1, after_line=3)] == [7]
    with store.write() as tx:
        tx.pools.delete(pool.id)
    assert rows_in(store, "user_import_jobs") == rows_in(store, "user_import_results") == 0
