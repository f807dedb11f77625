"""User import jobs: CreateUserImportJob, DescribeUserImportJob, ListUserImportJobs, StartUserImportJob,
StopUserImportJob (the API references of each; Cognito developer guide: 'Creating and running the Amazon Cognito
user pool import job').

A job is created with the URL its CSV file is PUT to (steps/uploads.py); once the file is there it can be
started, and a worker of the instance holding the file imports it in the background (steps/worker.py). The job's
counts, status and CompletionMessage say how it went; the lines that were skipped or failed, with why, are kept
with the job (the console shows them) and go to the pool's log delivery sinks where the settings name one for its
import log group (README 'Importing users').
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import PreconditionNotMetException, ResourceNotFoundException
from userpool.ids import new_import_job_id
from userpool.model.import_jobs import STOPPED_MESSAGE, ImportJob, ImportStatus, job_wire
from userpool.model.pool_config import auto_verified_attributes
from userpool.model.records import Pool
from userpool.services.lookup.records import pool_or_404
from userpool.services.user_import.steps.uploads import presigned_url
from userpool.store.base import Conflict, Tx


def _wire(ctx: Ctx, job: ImportJob) -> dict[str, Any]:
    return job_wire(job.as_of(ctx.now), presigned_url(ctx, job))


def job_or_404(tx: Tx, pool: Pool, job_id: str, for_update: bool = False) -> ImportJob:
    job = tx.import_jobs.get(job_id, for_update)
    if job is None or job.pool_id != pool.id:
        raise ResourceNotFoundException(f"Import job {job_id} does not exist.")
    return job


def create_user_import_job(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """A job in Created status and the URL to PUT its CSV file to: CreateUserImportJob. CloudWatchLogsRoleArn is
    kept and echoed; the job's log goes where the settings send the pool's import log group."""
    algorithm = req.get("PasswordHashingAlgorithm")
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        for _ in range(3):
            job = ImportJob(
                pool_id=pool.id,
                job_id=new_import_job_id(),
                name=req["JobName"],
                status=ImportStatus.CREATED,
                role_arn=req["CloudWatchLogsRoleArn"],
                hash_algorithm=algorithm,
                created_at=ctx.now,
            )
            try:
                tx.import_jobs.add(job)
                break
            except Conflict:  # 59 random bits: never in practice
                continue
    return {"UserImportJob": _wire(ctx, job)}


def describe_user_import_job(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """A job's status and counts: DescribeUserImportJob."""
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        job = job_or_404(tx, pool, req["JobId"])
    return {"UserImportJob": _wire(ctx, job)}


def list_user_import_jobs(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """The pool's jobs, newest first, a page at a time: ListUserImportJobs."""
    pool_id = req["UserPoolId"]
    scope = f"ListUserImportJobs:{pool_id}"
    after = ctx.deps.page_tokens.decode(req.get("PaginationToken"), scope)
    with ctx.store.read() as tx:
        pool = pool_or_404(tx, pool_id)
        page = tx.import_jobs.of_pool(pool.id, int(req["MaxResults"]), after)
    answer: dict[str, Any] = {"UserImportJobs": [_wire(ctx, job) for job in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        answer["PaginationToken"] = token
    return answer


def start_user_import_job(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Queue a Created job whose file has been uploaded: it is Pending until a worker takes it (StartUserImportJob).
    A pool without auto-verified attributes imports nobody ('Formatting the CSV file': "If the user pool has no
    auto-verified attributes, the import job will not start")."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        job = job_or_404(tx, pool, req["JobId"], for_update=True).as_of(ctx.now)
        if job.status != ImportStatus.CREATED:
            raise PreconditionNotMetException(f"The import job is {job.status}; only a Created job can be started.")
        if job.file_bytes is None:
            raise PreconditionNotMetException("The CSV file of the import job has not been uploaded.")
        if not auto_verified_attributes(pool):
            raise PreconditionNotMetException(
                "The user pool has no auto-verified attributes (email or phone_number): no user can be imported."
            )
        job = replace(job, status=ImportStatus.PENDING, started_at=ctx.now)
        tx.import_jobs.update(job)
    ctx.deps.wake_imports()
    return {"UserImportJob": _wire(ctx, job)}


def stop_user_import_job(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Stop a job: a Pending one at once (Stopped), an InProgress one after the batch of users being imported
    (Stopping, then Stopped). A stopped job cannot be started again (StopUserImportJob)."""
    with ctx.store.write() as tx:
        pool = pool_or_404(tx, req["UserPoolId"])
        job = job_or_404(tx, pool, req["JobId"], for_update=True)
        if job.status == ImportStatus.PENDING:
            job = replace(job, status=ImportStatus.STOPPED, completed_at=ctx.now, completion_message=STOPPED_MESSAGE)
        elif job.status == ImportStatus.IN_PROGRESS:
            job = replace(job, status=ImportStatus.STOPPING)
        else:
            raise PreconditionNotMetException(f"The import job is {job.as_of(ctx.now).status}; it is not running.")
        tx.import_jobs.update(job)
    return {"UserImportJob": _wire(ctx, job)}
