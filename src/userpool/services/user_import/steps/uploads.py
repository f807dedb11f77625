"""An import job's pre-signed upload URL: making it, and what the upload route asks before and after it takes a
file (model/import_jobs.py, crypto/upload_urls.py).

The URL is refused, as S3 refuses a pre-signed URL, with a wrong or missing signature, after its expiry, and for
a job that is no longer Created (started, stopped or expired): a file is taken only while the job can still be
started. The signature is checked before anything is read, so a forged URL learns nothing of which jobs exist.
"""

from __future__ import annotations

from dataclasses import replace

from userpool.context import Ctx
from userpool.crypto import upload_urls
from userpool.import_files.port import Upload
from userpool.model.import_jobs import UPLOAD_PREFIX, ImportJob, ImportStatus


class UploadRefused(Exception):
    """Why an upload is refused: an HTTP status and S3's error code and message for it."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


NOT_CREATED = UploadRefused(412, "PreconditionFailed", "The import job is no longer waiting for its CSV file.")


def _key(ctx: Ctx) -> bytes:
    return upload_urls.upload_key(ctx.deps.code_key)


def presigned_url(ctx: Ctx, job: ImportJob) -> str:
    """Where the job's CSV file is PUT: on this server's own URL, signed, valid for 15 minutes after the job's
    creation."""
    expires = job.url_expires_at
    signature = upload_urls.signature(_key(ctx), job.job_id, expires)
    return f"{ctx.settings.base_url}{UPLOAD_PREFIX}{job.job_id}?expires={expires}&signature={signature}"


def job_for_upload(ctx: Ctx, job_id: str, expires: str | None, signature: str | None) -> ImportJob:
    """The job a PUT to its URL uploads the file of; UploadRefused when the URL does not allow it now."""
    if not expires or not signature or not expires.isdigit() or len(expires) > 12:
        raise UploadRefused(403, "AccessDenied", "The URL must carry its expires and signature parameters.")
    if not upload_urls.signature_matches(_key(ctx), job_id, int(expires), signature):
        raise UploadRefused(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if ctx.now >= int(expires):
        raise UploadRefused(403, "AccessDenied", "Request has expired")
    with ctx.store.read() as tx:
        job = tx.import_jobs.get(job_id)
    if job is None:
        raise UploadRefused(404, "NoSuchUpload", "The import job does not exist.")
    if job.as_of(ctx.now).status != ImportStatus.CREATED:
        raise NOT_CREATED
    return job


def data_rows(size: int, newlines: int, ends_with_newline: bool) -> int:
    """How many lines after the header a file of ``size`` bytes with ``newlines`` line ends has."""
    if size == 0:
        return 0
    lines = newlines + (0 if ends_with_newline else 1)
    return max(0, lines - 1)


def accept_upload(ctx: Ctx, job_id: str, upload: Upload, size: int, rows: int) -> ImportJob:
    """Keep a whole, received file as the job's, if the job still waits for one (it may have been started,
    stopped or deleted while the file arrived): the file is put in place while the job's row is locked, so a
    job being imported never has its file replaced."""
    with ctx.store.write() as tx:
        job = tx.import_jobs.get(job_id, for_update=True)
        if job is None or job.as_of(ctx.now).status != ImportStatus.CREATED:
            upload.discard()
            raise NOT_CREATED
        upload.keep()
        kept = replace(job, file_bytes=size, file_rows=rows)
        tx.import_jobs.update(kept)
    return kept
