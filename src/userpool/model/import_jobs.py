"""User import jobs: their record, statuses and wire shape (AWS: CreateUserImportJob, DescribeUserImportJob API
references; Cognito developer guide: 'Importing users into user pools from a CSV file', 'Creating and running the
Amazon Cognito user pool import job').

A job is Created with a pre-signed URL to PUT its CSV file to, valid for ``URL_SECONDS``; StartUserImportJob makes
it Pending; a worker claims it (InProgress) and imports the file in batches; StopUserImportJob makes a Pending
job Stopped and an InProgress one Stopping, which the worker turns into Stopped between two batches. A job that
is not started within ``EXPIRE_SECONDS`` of its creation is Expired, and its file is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

# The presigned URL is valid for 15 minutes ('Creating and running the Amazon Cognito user pool import job':
# "The PRE_SIGNED_URL returned in the response is valid for 15 minutes").
URL_SECONDS = 900
# "You created a job, but did not start the job within 24-48 hours": the earlier bound.
EXPIRE_SECONDS = 86_400
# 'Creating the user import CSV file': "The maximum row length is 16,000 characters" (the file's size and number
# of rows, 100 MB and 500,000, are settings: user_import_max_file_bytes, user_import_max_rows).
MAX_ROW_CHARACTERS = 16_000
# Where the presigned URLs point, on the server's own origin: ``<base URL>/user-import/<job id>``.
UPLOAD_PREFIX = "/user-import/"

SUCCEEDED_MESSAGE = "Import Job Completed Successfully."
STOPPED_MESSAGE = "The Import Job was stopped by the developer."
TOO_MANY_FAILED_MESSAGE = "Too many users have failed or been skipped during the import."
EXPIRED_MESSAGE = "The Import Job expired before it was started."
POOL_DELETED_MESSAGE = "The user pool was deleted."


class ImportStatus(StrEnum):
    """UserImportJobStatusType."""

    CREATED = "Created"
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    STOPPING = "Stopping"
    EXPIRED = "Expired"
    STOPPED = "Stopped"
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"


# A worker holds these (Pending ones wait for one).
ACTIVE = frozenset({ImportStatus.PENDING, ImportStatus.IN_PROGRESS, ImportStatus.STOPPING})
FINISHED = frozenset({ImportStatus.EXPIRED, ImportStatus.STOPPED, ImportStatus.FAILED, ImportStatus.SUCCEEDED})


class RowOutcome(StrEnum):
    """How one line of the file ended, as Cognito's import log writes it ('Viewing the user pool import results in
    the CloudWatch console')."""

    SUCCEEDED = "SUCCEEDED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class ImportJob:
    """A user import job. ``file_bytes`` and ``file_rows`` are None until its CSV file has been uploaded;
    ``offset`` (bytes of the file) and ``line`` (the last line number done) say how far the import has come, so
    that a worker that takes over an abandoned job goes on from there; ``worker`` and ``lease_until`` are the
    claim of the worker importing it."""

    pool_id: str
    job_id: str
    name: str
    status: ImportStatus
    role_arn: str
    hash_algorithm: str | None
    created_at: float
    started_at: float | None = None
    completed_at: float | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    completion_message: str | None = None
    file_bytes: int | None = None
    file_rows: int | None = None
    offset: int = 0
    line: int = 0
    worker: str | None = None
    lease_until: float | None = None

    @property
    def url_expires_at(self) -> int:
        return int(self.created_at) + URL_SECONDS

    def expired(self, now: float) -> bool:
        """Created and not started in time: Expired from then on, whether or not a clean-up has written it."""
        return self.status == ImportStatus.CREATED and now >= self.created_at + EXPIRE_SECONDS

    def as_of(self, now: float) -> ImportJob:
        """The job as its status is at ``now`` (a Created job past its time is Expired)."""
        if not self.expired(now):
            return self
        return replace(self, status=ImportStatus.EXPIRED, completion_message=EXPIRED_MESSAGE)


@dataclass(frozen=True, slots=True)
class RowResult:
    """A line of the file that was skipped or failed, and why (what the console and the log show)."""

    line: int
    outcome: RowOutcome
    reason: str


def job_wire(job: ImportJob, presigned_url: str) -> dict[str, Any]:
    """UserImportJobType, member for member as Cognito returns it (the counts always, the dates once set)."""
    wire: dict[str, Any] = {
        "JobName": job.name,
        "JobId": job.job_id,
        "UserPoolId": job.pool_id,
        "PreSignedUrl": presigned_url,
        "CreationDate": job.created_at,
        "Status": str(job.status),
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
    }
    if job.started_at is not None:
        wire["StartDate"] = job.started_at
    if job.completed_at is not None:
        wire["CompletionDate"] = job.completed_at
    if job.completion_message:
        wire["CompletionMessage"] = job.completion_message
    if job.hash_algorithm:
        wire["PasswordHashingAlgorithm"] = job.hash_algorithm
    return wire


def final_status(job: ImportJob) -> tuple[ImportStatus, str]:
    """How a job that reached the end of its file ends: Failed when it imported nobody though some lines were
    skipped or failed (Cognito's "Too many users have failed or been skipped during the import."), else
    Succeeded."""
    if job.imported == 0 and (job.skipped or job.failed):
        return ImportStatus.FAILED, TOO_MANY_FAILED_MESSAGE
    return ImportStatus.SUCCEEDED, SUCCEEDED_MESSAGE


def log_group_arn(region: str, account_id: str, pool_id: str, pool_name: str) -> str:
    """The CloudWatch Logs group Cognito writes a pool's import results to: ``/aws/cognito/userpools/<pool id>/
    <pool name>`` ('Viewing the user pool import results in the CloudWatch console')."""
    return f"arn:aws:logs:{region}:{account_id}:log-group:/aws/cognito/userpools/{pool_id}/{pool_name}"


def log_line(result: RowResult) -> str:
    """A line of the job's log as Cognito writes it: ``[FAILED] Line Number 12 - <reason>``."""
    return f"[{result.outcome}] Line Number {result.line} - {result.reason}"


def log_event(pool_id: str, job: ImportJob, now: float, message: str, error: bool) -> dict[str, Any]:
    """An exported event of the job's log, in the envelope of the pool's other exported logs (model/log_events.py):
    epoch milliseconds as a string, the source, the level, the message and the pool, with the job named. It
    names lines by number and carries no user data, as Cognito's import log does."""
    return {
        "eventTimestamp": str(int(now * 1000)),
        "eventSource": "USER_IMPORT",
        "logLevel": "ERROR" if error else "INFO",
        "message": message,
        "logSourceId": {"userPoolId": pool_id, "jobId": job.job_id, "jobName": job.name},
    }
