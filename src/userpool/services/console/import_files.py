"""What the console's import job page asks beyond the operations: the skipped and failed lines of a job with
their reasons (Cognito shows them in the job's CloudWatch log; here they are kept with the job), and a CSV file
uploaded from the operator's browser, taken as the job's pre-signed URL would take it."""

from __future__ import annotations

from typing import BinaryIO

from userpool.context import Ctx
from userpool.errors import ResourceNotFoundException
from userpool.model.import_jobs import ImportJob, ImportStatus, RowResult
from userpool.services.user_import.steps.uploads import NOT_CREATED, UploadRefused, accept_upload, data_rows

CHUNK = 64 * 1024


def _job(ctx: Ctx, pool_id: str, job_id: str) -> ImportJob:
    with ctx.store.read() as tx:
        job = tx.import_jobs.get(job_id)
    if job is None or job.pool_id != pool_id:
        raise ResourceNotFoundException(f"Import job {job_id} does not exist.")
    return job


def job_results(ctx: Ctx, pool_id: str, job_id: str, after_line: int, limit: int) -> list[RowResult]:
    """A page of the job's skipped and failed lines, in line order, after ``after_line``."""
    _job(ctx, pool_id, job_id)
    with ctx.store.read() as tx:
        return tx.import_jobs.results(job_id, limit, after_line)


def upload_file(ctx: Ctx, pool_id: str, job_id: str, source: BinaryIO) -> ImportJob:
    """The operator's file as the job's CSV file, read a piece at a time; UploadRefused when the job no
    longer waits for one, or the file is beyond the limit."""
    if _job(ctx, pool_id, job_id).as_of(ctx.now).status != ImportStatus.CREATED:
        raise NOT_CREATED
    most = ctx.settings.user_import_max_file_bytes
    received = ctx.deps.import_files.receive(job_id)
    size = newlines = 0
    last = b""
    try:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > most:
                raise UploadRefused(413, "EntityTooLarge", f"The file is larger than {most:,} bytes.")
            received.write(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
        received.close()
        return accept_upload(ctx, job_id, received, size, data_rows(size, newlines, last == b"\n"))
    except BaseException:
        received.discard()
        raise
