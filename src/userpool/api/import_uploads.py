"""The pre-signed upload URL of user import jobs: ``PUT /user-import/<job id>?expires=...&signature=...`` with the
CSV file as the body, as ``curl -T users.csv "<PreSignedUrl>"`` or any HTTP client sends it. It stands in for the
S3 URL Cognito returns, and answers as S3 does: 200 with the body's MD5 as ETag, or an S3 error document
(``<Error><Code>...</Code><Message>...</Message></Error>``) with 403 for a wrong signature or an expired URL, 412
for a job that no longer waits for its file, 413 for a body beyond the import file limit
(services/user_import/steps/uploads.py decides which).

The URL is checked before a byte of the body is read. The body is streamed to the job's file as it arrives
(import_files/), never held in memory, and counted against the limit (body_limits.py lets this route read its
own body and refuses only a declared Content-Length beyond the limit). A body cut short leaves nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from userpool.context import Ctx, Deps
from userpool.ids import new_request_id
from userpool.model.import_jobs import UPLOAD_PREFIX
from userpool.services.user_import.steps.uploads import (
    UploadRefused,
    accept_upload,
    data_rows,
    job_for_upload,
)


def _too_large(max_bytes: int) -> UploadRefused:
    return UploadRefused(
        413, "EntityTooLarge", f"Your proposed upload exceeds the maximum allowed size of {max_bytes} bytes."
    )


def s3_error(refused: UploadRefused, request_id: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(refused.code)}</Code><Message>{escape(refused.message)}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    )
    headers = {"x-amz-request-id": request_id}
    if refused.status == 413:
        headers["connection"] = "close"
    return Response(body, refused.status, headers=headers, media_type="application/xml")


def too_large(max_bytes: int) -> Callable[[], Response]:
    """The answer body_limits.py gives a declared Content-Length beyond the limit."""
    return lambda: s3_error(_too_large(max_bytes), new_request_id())


def make_upload(deps: Deps) -> Callable[[Request], Awaitable[Response]]:
    max_bytes = deps.settings.user_import_max_file_bytes

    def ctx() -> Ctx:
        return Ctx(deps, new_request_id(), deps.clock.now(), deps.settings.region)

    async def upload(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        request_ctx = ctx()
        query = request.query_params
        try:
            await run_in_threadpool(job_for_upload, request_ctx, job_id, query.get("expires"), query.get("signature"))
        except UploadRefused as refused:
            response = s3_error(refused, request_ctx.request_id)
            # The body is never read: the connection ends with this answer.
            response.headers["connection"] = "close"
            return response
        received = deps.import_files.receive(job_id)
        digest = hashlib.md5(usedforsecurity=False)
        size = newlines = 0
        last = b""
        try:
            async for chunk in request.stream():
                if not chunk:
                    continue
                size += len(chunk)
                if size > max_bytes:
                    received.discard()
                    return s3_error(_too_large(max_bytes), request_ctx.request_id)
                received.write(chunk)
                digest.update(chunk)
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
            await run_in_threadpool(received.close)
            rows = data_rows(size, newlines, last == b"\n")
            await run_in_threadpool(accept_upload, ctx(), job_id, received, size, rows)
        except ClientDisconnect:
            received.discard()
            return Response(status_code=400)
        except UploadRefused as refused:
            received.discard()
            return s3_error(refused, request_ctx.request_id)
        except BaseException:
            received.discard()
            raise
        return Response(
            status_code=200, headers={"ETag": f'"{digest.hexdigest()}"', "x-amz-request-id": request_ctx.request_id}
        )

    return upload


def routes(deps: Deps) -> list[Route]:
    return [Route(UPLOAD_PREFIX + "{job_id}", make_upload(deps), methods=["PUT"])]
