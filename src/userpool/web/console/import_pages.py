"""A pool's Import jobs pages: the jobs (ListUserImportJobs) and a form to create one (CreateUserImportJob, with
a PasswordHashingAlgorithm when the file carries hashes); a job's page with its status and counts, its
pre-signed URL, a file upload from the browser while it is Created, Start and Stop, and its skipped and failed
lines with their reasons; the CSV template (GetCSVHeader). Cognito developer guide: 'Importing users into user
pools from a CSV file'."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response

from userpool.model.import_jobs import ACTIVE, ImportStatus
from userpool.services.console.import_files import job_results, upload_file
from userpool.services.user_import.steps.uploads import UploadRefused
from userpool.web.console.frame import BadForm, Page, problem
from userpool.web.console.pool_pages import load_pool

PAGE_SIZE = 20
RESULTS_PAGE = 100
ALGORITHMS = (
    ("", "No password hashes (users reset their passwords)"),
    ("BCRYPT", "bcrypt"),
    ("SCRYPT", "scrypt"),
    ("PBKDF2_SHA256", "PBKDF2-SHA256"),
    ("ARGON2ID", "argon2id"),
)
FIELDS = {"jobName": "job_name", "cloudWatchLogsRoleArn": "role_arn", "passwordHashingAlgorithm": "algorithm"}


def _crumbs(page: Page, pool: dict[str, Any], *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("User pools", page.url("/")), (pool["Name"], page.pool_url()), *more]


def _default_role(page: Page) -> str:
    return f"arn:aws:iam::{page.deps.settings.account_id}:role/CognitoUserImport"


async def import_jobs(page: Page) -> Response:
    pool = await load_pool(page)
    values: dict[str, Any] = {"role_arn": _default_role(page)}
    if page.request.method == "POST":
        request = {
            "UserPoolId": pool["Id"],
            "JobName": page.text("job_name"),
            "CloudWatchLogsRoleArn": page.text("role_arn"),
            "PasswordHashingAlgorithm": page.text("algorithm") or None,
        }
        created = await page.call("CreateUserImportJob", request, FIELDS)
        if created is not None:
            job_id = created["UserImportJob"]["JobId"]
            return page.redirect(page.pool_url("/import-job", job=job_id), "import_job_created")
        values = {k: page.raw(k) for k in ("job_name", "role_arn", "algorithm")}
    found = await page.call(
        "ListUserImportJobs",
        {"UserPoolId": pool["Id"], "MaxResults": PAGE_SIZE, "PaginationToken": page.arg("next") or None},
    )
    header = await page.fetch("GetCSVHeader", {"UserPoolId": pool["Id"]})
    return await page.render(
        "import_jobs.html",
        pool=pool,
        jobs=(found or {}).get("UserImportJobs", []),
        next_token=(found or {}).get("PaginationToken"),
        algorithms=ALGORITHMS,
        header=",".join(header["CSVHeader"]),
        values=values,
        crumbs=_crumbs(page, pool, ("Import jobs", None)),
    )


async def import_job(page: Page, status: int = 200, message: str = "") -> Response:
    pool = await load_pool(page)
    job_id = page.arg("job", 55)
    job = (await page.fetch("DescribeUserImportJob", {"UserPoolId": pool["Id"], "JobId": job_id}))["UserImportJob"]
    after = page.arg("after", 12)
    if after and not after.isdigit():
        raise BadForm("after")
    results = await page.run(job_results, pool["Id"], job_id, int(after or 0), RESULTS_PAGE + 1)
    more = len(results) > RESULTS_PAGE
    results = results[:RESULTS_PAGE]
    return await page.render(
        "import_job.html",
        status,
        pool=pool,
        job=job,
        running=job["Status"] in ACTIVE,
        created=job["Status"] == ImportStatus.CREATED,
        results=results,
        next_after=str(results[-1].line) if more and results else "",
        upload_message=message,
        crumbs=_crumbs(page, pool, ("Import jobs", page.pool_url("/import-jobs")), (job["JobName"], None)),
    )


async def upload(page: Page) -> Response:
    """The file chosen in the browser, as the job's CSV file."""
    pool = await load_pool(page)
    job_id = page.arg("job", 55)
    chosen = page.form.get("file") if page.form is not None else None
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        return await import_job(page, 400, "Choose a CSV file to upload.")
    try:
        await page.run(upload_file, pool["Id"], job_id, chosen.file)
    except UploadRefused as refused:
        return await import_job(page, refused.status, refused.message)
    return page.redirect(page.pool_url("/import-job", job=job_id), "import_file_uploaded")


async def job_action(page: Page) -> Response:
    """Start or stop the job."""
    pool = await load_pool(page)
    job_id = page.arg("job", 55)
    action = page.text("action")
    operation = {"start": "StartUserImportJob", "stop": "StopUserImportJob"}.get(action)
    if operation is None:
        return await problem(page, 400, "Bad request", "The request could not be read.")
    if await page.call(operation, {"UserPoolId": pool["Id"], "JobId": job_id}) is None:
        return await import_job(page, 400)
    return page.redirect(page.pool_url("/import-job", job=job_id), f"import_job_{action}")


async def template(page: Page) -> Response:
    """GetCSVHeader's columns as a CSV file to fill in."""
    pool = await load_pool(page)
    header = await page.fetch("GetCSVHeader", {"UserPoolId": pool["Id"]})
    body = ",".join(header["CSVHeader"]) + "\n"
    disposition = f'attachment; filename="{pool["Id"]}-users.csv"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(body, media_type="text/csv", headers=headers)
