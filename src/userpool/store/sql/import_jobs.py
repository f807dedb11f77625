"""User import jobs' rows: the jobs, listed newest first per pool with a keyset cursor on (created_at, job_id),
claimed by workers with a conditional update; and the skipped and failed lines of their files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from userpool.model.import_jobs import EXPIRED_MESSAGE, ImportJob, ImportStatus, RowOutcome, RowResult
from userpool.model.records import Page
from userpool.store.sql.import_tables import user_import_jobs, user_import_results
from userpool.store.sql.rows import conflicts_as, keyset_page

_j = user_import_jobs.c
_r = user_import_results.c
_HELD = (ImportStatus.IN_PROGRESS.value, ImportStatus.STOPPING.value)
_ACTIVE = (ImportStatus.PENDING.value, *_HELD)


def _job(row: Any) -> ImportJob:
    return ImportJob(
        pool_id=row.pool_id,
        job_id=row.job_id,
        name=row.name,
        status=ImportStatus(row.status),
        role_arn=row.role_arn,
        hash_algorithm=row.hash_algorithm,
        created_at=row.created_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
        imported=int(row.imported),
        skipped=int(row.skipped),
        failed=int(row.failed),
        completion_message=row.completion_message,
        file_bytes=None if row.file_bytes is None else int(row.file_bytes),
        file_rows=None if row.file_rows is None else int(row.file_rows),
        offset=int(row.file_offset),
        line=int(row.line),
        worker=row.worker,
        lease_until=row.lease_until,
    )


def _mutable(job: ImportJob) -> dict[str, Any]:
    return {
        "status": job.status.value,
        "hash_algorithm": job.hash_algorithm,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
        "imported": job.imported,
        "skipped": job.skipped,
        "failed": job.failed,
        "completion_message": job.completion_message,
        "file_bytes": job.file_bytes,
        "file_rows": job.file_rows,
        "file_offset": job.offset,
        "line": job.line,
        "worker": job.worker,
        "lease_until": job.lease_until,
    }


def _cursor(row: Any) -> str:
    # repr() of a float reads back as the same float, so the cursor names the row's time exactly.
    return f"{row.created_at!r} {row.job_id}"


def _claimable(now: float) -> sa.ColumnElement[bool]:
    return sa.or_(
        _j.status == ImportStatus.PENDING.value,
        sa.and_(_j.status.in_(_HELD), sa.or_(_j.lease_until.is_(None), _j.lease_until < now)),
    )


class SqlImportJobRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, job: ImportJob) -> None:
        with conflicts_as({}, "job_id"):
            self._conn.execute(
                user_import_jobs.insert().values(
                    job_id=job.job_id,
                    pool_id=job.pool_id,
                    name=job.name,
                    role_arn=job.role_arn,
                    created_at=job.created_at,
                    **_mutable(job),
                )
            )

    def get(self, job_id: str, for_update: bool = False) -> ImportJob | None:
        query = sa.select(user_import_jobs).where(_j.job_id == job_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _job(row) if row else None

    def of_pool(self, pool_id: str, limit: int, after: str | None) -> Page[ImportJob]:
        where = [_j.pool_id == pool_id]
        if after is not None:
            at_text, _, job_id = after.partition(" ")
            at = float(at_text)
            where.append(sa.or_(_j.created_at < at, sa.and_(_j.created_at == at, _j.job_id < job_id)))
        query = (
            sa.select(user_import_jobs).where(*where).order_by(_j.created_at.desc(), _j.job_id.desc()).limit(limit + 1)
        )
        return keyset_page(self._conn.execute(query).all(), limit, _job, _cursor)

    def update(self, job: ImportJob) -> None:
        self._conn.execute(user_import_jobs.update().where(_j.job_id == job.job_id).values(**_mutable(job)))

    def claimable(self, now: float, job_ids: Iterable[str]) -> list[str]:
        ids = list(job_ids)
        if not ids:
            return []
        query = (
            sa.select(_j.job_id)
            .where(_j.job_id.in_(ids), _j.status.in_(_ACTIVE), _claimable(now))
            .order_by(_j.started_at, _j.job_id)
        )
        return [str(row.job_id) for row in self._conn.execute(query).all()]

    def claim(self, job_id: str, worker: str, now: float, lease_until: float) -> ImportJob | None:
        # Conditional update: of two workers racing for a job, exactly one gets the row back.
        row = self._conn.execute(
            user_import_jobs.update()
            .where(_j.job_id == job_id, _claimable(now))
            .values(
                worker=worker,
                lease_until=lease_until,
                status=sa.case(
                    (_j.status == ImportStatus.PENDING.value, ImportStatus.IN_PROGRESS.value), else_=_j.status
                ),
            )
            .returning(*user_import_jobs.c)
        ).first()
        return _job(row) if row else None

    def expire(self, created_before: float, now: float) -> list[str]:
        rows = self._conn.execute(
            user_import_jobs.update()
            .where(_j.status == ImportStatus.CREATED.value, _j.created_at < created_before)
            .values(status=ImportStatus.EXPIRED.value, completed_at=now, completion_message=EXPIRED_MESSAGE)
            .returning(_j.job_id)
        ).all()
        return [str(row.job_id) for row in rows]

    def active_in_pool(self, pool_id: str) -> bool:
        query = sa.select(_j.job_id).where(_j.pool_id == pool_id, _j.status.in_(_ACTIVE)).limit(1)
        return self._conn.execute(query).first() is not None

    def add_results(self, job_id: str, results: Iterable[RowResult]) -> None:
        rows = [{"job_id": job_id, "line": r.line, "outcome": r.outcome.value, "reason": r.reason} for r in results]
        if rows:
            self._conn.execute(user_import_results.insert(), rows)

    def results(self, job_id: str, limit: int, after_line: int = 0) -> list[RowResult]:
        query = (
            sa.select(user_import_results)
            .where(_r.job_id == job_id, _r.line > after_line)
            .order_by(_r.line)
            .limit(limit)
        )
        return [RowResult(int(r.line), RowOutcome(r.outcome), r.reason) for r in self._conn.execute(query).all()]
