"""Importing a claimed job's file, a batch of lines at a time (Cognito developer guide: 'Importing users into user
pools from a CSV file').

The file is streamed: a batch of ``BATCH`` lines is read and checked outside any transaction, then its users,
its skipped and failed lines, the job's counts, how far the file has been read and the worker's lease are
written in one short transaction. A worker that dies leaves the job as far as its last batch; once its lease has
run out, a worker of an instance holding the file takes the job over and goes on from there, so no line is
imported twice and none is lost. Before each batch the job is read again: a StopUserImportJob (Stopping) ends it
Stopped, a job that another worker has taken over or that went with its pool is left alone.

A header that does not fit the pool, a missing file or one of more than the allowed rows fails the job before any
user is added ('Viewing the user pool import results in the CloudWatch console': "the import job will fail ...
Amazon Cognito is unable to parse the .csv file"). A line whose user the database refuses under a concurrent
write (PostgreSQL; on SQLite the batch's checks hold) makes its batch run again a line per transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import BinaryIO

from userpool.context import Ctx
from userpool.model.import_jobs import (
    STOPPED_MESSAGE,
    ImportJob,
    ImportStatus,
    RowOutcome,
    RowResult,
    final_status,
    log_event,
    log_group_arn,
    log_line,
)
from userpool.model.import_rows import HeaderProblem, RowProblem, read_header, split_line
from userpool.model.records import Pool
from userpool.services.user_import.steps.file_lines import Line, lines, read_line
from userpool.services.user_import.steps.rows import Candidate, apply, conflict_result, prepare
from userpool.store.base import Conflict, Tx

log = logging.getLogger("userpool.user_import")

BATCH = 250
LEASE_SECONDS = 120.0


class _Gone(Exception):
    """The job is no longer this worker's to import: deleted with its pool, taken over, or ended."""


@dataclass
class _Progress:
    job: ImportJob
    worker: str
    stopping: Callable[[], bool]


def _pool_region(pool: Pool) -> str:
    return pool.id.split("_", 1)[0]


def _ship(ctx: Ctx, pool: Pool, job: ImportJob, messages: list[tuple[str, bool]]) -> None:
    """The job's log lines to the sink the settings give the pool's import log group, if they give it one."""
    settings = ctx.settings.log_delivery
    destination = log_group_arn(_pool_region(pool), ctx.settings.account_id, pool.id, pool.name)
    if destination not in settings.destinations and settings.default_sink is None:
        return
    for message, error in messages:
        ctx.deps.logs.ship(destination, log_event(pool.id, job, ctx.deps.clock.now(), message, error))


def _current(tx: Tx, progress: _Progress) -> ImportJob:
    """The job as stored, locked, if it is still this worker's."""
    job = tx.import_jobs.get(progress.job.job_id, for_update=True)
    if (
        job is None
        or job.worker != progress.worker
        or job.status not in (ImportStatus.IN_PROGRESS, ImportStatus.STOPPING)
    ):
        raise _Gone
    return job


def _finish(ctx: Ctx, progress: _Progress, status: ImportStatus, message: str) -> ImportJob:
    with ctx.store.write() as tx:
        job = _current(tx, progress)
        if job.status == ImportStatus.STOPPING:
            status, message = ImportStatus.STOPPED, STOPPED_MESSAGE
        done = replace(job, status=status, completion_message=message, completed_at=ctx.deps.clock.now())
        done = replace(done, worker=None, lease_until=None)
        tx.import_jobs.update(done)
    progress.job = done
    return done


def _let_go(ctx: Ctx, progress: _Progress) -> None:
    with ctx.store.write() as tx:
        job = _current(tx, progress)
        job = replace(job, worker=None, lease_until=ctx.deps.clock.now())
        tx.import_jobs.update(job)
    progress.job = job
    raise _Gone


def _counted(job: ImportJob, results: list[RowResult], imported: int, last: Line, lease_until: float) -> ImportJob:
    skipped = sum(1 for r in results if r.outcome == RowOutcome.SKIPPED)
    return replace(
        job,
        imported=job.imported + imported,
        skipped=job.skipped + skipped,
        failed=job.failed + len(results) - skipped,
        offset=last.end,
        line=last.number,
        lease_until=lease_until,
    )


def _candidates(ctx: Ctx, pool: Pool, header_line: str, batch: list[Line], algorithm: str | None) -> list[Candidate]:
    header = read_header(pool, split_line(header_line))
    now = ctx.deps.clock.now()
    return [
        Candidate(line.number, None, problem=line.problem)
        if line.problem
        else prepare(pool, header, line.number, line.text, algorithm, now)
        for line in batch
    ]


def _write_batch(ctx: Ctx, progress: _Progress, pool: Pool, candidates: list[Candidate], last: Line) -> list[RowResult]:
    """The batch in one transaction; Conflict (rolled back) when the database refused a user."""
    with ctx.store.write() as tx:
        job = _current(tx, progress)
        if tx.pools.get(pool.id) is None:
            raise _Gone
        results = [r for r in (apply(tx, pool, c, ctx.deps.clock.now()) for c in candidates) if r is not None]
        tx.import_jobs.add_results(job.job_id, results)
        job = _counted(job, results, len(candidates) - len(results), last, ctx.deps.clock.now() + LEASE_SECONDS)
        tx.import_jobs.update(job)
    progress.job = job
    return results


def _write_one_by_one(
    ctx: Ctx, progress: _Progress, pool: Pool, candidates: list[Candidate], batch: list[Line]
) -> list[RowResult]:
    """The batch again, a line per transaction, each with the job's progress up to that line."""
    results: list[RowResult] = []
    for candidate, line in zip(candidates, batch, strict=True):
        try:
            results += _write_batch(ctx, progress, pool, [candidate], line)
        except Conflict as conflict:
            result = conflict_result(pool, candidate, conflict)
            with ctx.store.write() as tx:
                job = _current(tx, progress)
                tx.import_jobs.add_results(job.job_id, [result])
                job = _counted(job, [result], 0, line, ctx.deps.clock.now() + LEASE_SECONDS)
                tx.import_jobs.update(job)
            progress.job = job
            results.append(result)
    return results


def _batches(file: BinaryIO, number: int) -> Iterator[list[Line]]:
    source = lines(file, number)
    while batch := list(islice(source, BATCH)):
        yield batch


def _fail_before_import(ctx: Ctx, progress: _Progress, pool: Pool | None, message: str) -> None:
    job = _finish(ctx, progress, ImportStatus.FAILED, message)
    if pool is not None:
        _ship(ctx, pool, job, [(message, True)])


def _import(ctx: Ctx, progress: _Progress, file: BinaryIO) -> None:
    job = progress.job
    with ctx.store.read() as tx:
        pool = tx.pools.get(job.pool_id)
    if pool is None:
        raise _Gone
    first = read_line(file)
    header_line = first[0] if first is not None else ""
    try:
        if first is None or first[1]:
            raise HeaderProblem(first[1] if first is not None else "The CSV file is empty.")
        read_header(pool, split_line(header_line))
    except (HeaderProblem, RowProblem) as problem:
        _fail_before_import(ctx, progress, pool, str(problem))
        return
    most = ctx.settings.user_import_max_rows
    if (job.file_rows or 0) > most:
        _fail_before_import(ctx, progress, pool, f"The CSV file has more than {most:,} users.")
        return
    if job.offset:
        file.seek(job.offset)
    number = job.line or 1
    for batch in _batches(file, number):
        with ctx.store.read() as tx:
            current = tx.pools.get(pool.id)
            stored = tx.import_jobs.get(job.job_id)
        if current is None or stored is None:
            raise _Gone
        if stored.status == ImportStatus.STOPPING:
            _finish(ctx, progress, ImportStatus.STOPPED, STOPPED_MESSAGE)
            return
        if progress.stopping():
            _let_go(ctx, progress)
            return
        pool = current
        try:
            candidates = _candidates(ctx, pool, header_line, batch, job.hash_algorithm)
        except (HeaderProblem, RowProblem) as problem:  # the pool's schema changed under the job
            _fail_before_import(ctx, progress, pool, str(problem))
            return
        try:
            results = _write_batch(ctx, progress, pool, candidates, batch[-1])
        except Conflict:
            results = _write_one_by_one(ctx, progress, pool, candidates, batch)
        _ship(ctx, pool, progress.job, [(log_line(r), r.outcome == RowOutcome.FAILED) for r in results])
        if progress.job.status == ImportStatus.STOPPING:
            _finish(ctx, progress, ImportStatus.STOPPED, STOPPED_MESSAGE)
            return
    status, message = final_status(progress.job)
    done = _finish(ctx, progress, status, message)
    summary = f"{message} Imported {done.imported}, skipped {done.skipped}, failed {done.failed}."
    _ship(ctx, pool, done, [(summary, status == ImportStatus.FAILED)])


def run_job(ctx: Ctx, job: ImportJob, worker: str, stopping: Callable[[], bool] = lambda: False) -> ImportJob:
    """Import the claimed ``job`` (its worker ``worker``) to its end, its stop, or until it is no longer this
    worker's; the job as it was left. When ``stopping`` (the process is ending) the job is let go between two
    batches, for any worker to go on with at once."""
    progress = _Progress(job, worker, stopping)
    file = ctx.deps.import_files.open(job.job_id)
    try:
        if file is None:
            _fail_before_import(ctx, progress, None, "The CSV file of the import job is missing.")
            return progress.job
        with file:
            _import(ctx, progress, file)
    except _Gone:
        log.info("import job %s is no longer this worker's", job.job_id)
    if progress.job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.STOPPED):
        ctx.deps.import_files.delete(job.job_id)
    return progress.job
