"""The console's Import jobs pages through Starlette's test client: a job created from the form, its CSV file
uploaded from the browser, started, followed to its end, its skipped and failed lines read with their reasons;
the template download, a stop, and the refusals (a file to a started job, no file, another pool's job)."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.console.conftest import Console
from tests.support.pools import error_of
from tests.support.user_import import create_job, csv_file, header, import_pool, upload, user_row

_JOB = re.compile(r"import-job\?job=(import-[0-9A-Za-z]+)")


def _create(console: Console, pool_id: str, **form: str) -> str:
    answer = console.post(
        f"/console/pools/{pool_id}/import-jobs",
        {"job_name": "console import", "role_arn": "arn:aws:iam::123456789012:role/Import", "algorithm": "", **form},
    )
    assert answer.status_code == 303, answer.text
    found = _JOB.search(answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def _upload(console: Console, pool_id: str, job_id: str, body: bytes) -> Any:
    return console.http.post(
        f"/console/pools/{pool_id}/import-job/upload?job={job_id}",
        data={"_csrf": console.csrf()},
        files={"file": ("users.csv", body, "text/csv")},
    )


def _wait(console: Console, pool_id: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        job = console.idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        if job["Status"] in ("Succeeded", "Failed", "Stopped"):
            return dict(job)
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def test_console_import_jobs__create_upload_start_and_read_the_failures(signed_in: Console) -> None:
    console = signed_in
    pool_id = import_pool(console.idp)
    listing = console.http.get(f"/console/pools/{pool_id}/import-jobs")
    assert listing.status_code == 200
    assert "No import jobs yet" in listing.text
    assert "cognito:username" in listing.text

    job_id = _create(console, pool_id)
    page = console.http.get(f"/console/pools/{pool_id}/import-job?job={job_id}")
    assert page.status_code == 200
    assert "Created" in page.text and 'type="file"' in page.text
    assert f"/user-import/{job_id}?expires=" in page.text

    rows = [user_row(f"web{i}") for i in range(30)] + [user_row("bad", email_verified="false")]
    uploaded = _upload(console, pool_id, job_id, csv_file(header(console.idp, pool_id), rows))
    assert uploaded.status_code == 303, uploaded.text
    assert "notice=import_file_uploaded" in uploaded.headers["location"]

    started = console.post(f"/console/pools/{pool_id}/import-job/action?job={job_id}", {"action": "start"})
    assert started.status_code == 303, started.text
    done = _wait(console, pool_id, job_id)
    assert (done["Status"], done["ImportedUsers"], done["FailedUsers"]) == ("Succeeded", 30, 1)

    page = console.http.get(f"/console/pools/{pool_id}/import-job?job={job_id}")
    assert '<dd id="imported">30</dd>' in page.text
    assert '<dd id="failed">1</dd>' in page.text
    assert "The User Record does not set any of the auto verified attributes to true." in page.text
    assert ">32<" in page.text  # the failed line's number
    assert 'type="file"' not in page.text and 'http-equiv="refresh"' not in page.text
    listing = console.http.get(f"/console/pools/{pool_id}/import-jobs")
    assert job_id in listing.text and "console import" in listing.text


def test_console_import_jobs__template_is_the_csv_header(signed_in: Console) -> None:
    pool_id = import_pool(signed_in.idp)
    answer = signed_in.http.get(f"/console/pools/{pool_id}/import-jobs/template.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text == ",".join(header(signed_in.idp, pool_id)) + "\n"


def test_console_import_jobs__create_shows_the_operations_error(signed_in: Console) -> None:
    pool_id = import_pool(signed_in.idp)
    answer = signed_in.post(
        f"/console/pools/{pool_id}/import-jobs", {"job_name": "", "role_arn": "not an arn at all, no", "algorithm": ""}
    )
    assert answer.status_code == 400
    assert "InvalidParameterException" in answer.text


def test_console_import_jobs__upload_refused_once_started(signed_in: Console) -> None:
    console = signed_in
    pool_id = import_pool(console.idp)
    job = create_job(console.idp, pool_id)
    body = csv_file(header(console.idp, pool_id), [user_row("one")])
    assert upload(console.http, job["PreSignedUrl"], body).status_code == 200
    console.idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    answer = _upload(console, pool_id, job["JobId"], body)
    assert answer.status_code == 412
    assert "no longer waiting for its CSV file" in answer.text
    assert _wait(console, pool_id, job["JobId"])["ImportedUsers"] == 1


def test_console_import_jobs__upload_without_a_file(signed_in: Console) -> None:
    pool_id = import_pool(signed_in.idp)
    job_id = _create(signed_in, pool_id)
    answer = signed_in.http.post(
        f"/console/pools/{pool_id}/import-job/upload?job={job_id}",
        data={"_csrf": signed_in.csrf()},
        files={"file": ("", b"", "text/csv")},
    )
    assert answer.status_code == 400
    assert "Choose a CSV file to upload." in answer.text


def test_console_import_jobs__upload_needs_the_csrf_token(signed_in: Console) -> None:
    pool_id = import_pool(signed_in.idp)
    job_id = _create(signed_in, pool_id)
    answer = signed_in.http.post(
        f"/console/pools/{pool_id}/import-job/upload?job={job_id}", files={"file": ("u.csv", b"x\n", "text/csv")}
    )
    assert answer.status_code == 403
    code, _ = error_of(lambda: signed_in.idp.start_user_import_job(UserPoolId=pool_id, JobId=job_id))
    assert code == "PreconditionNotMetException"


def test_console_import_jobs__another_pools_job_is_not_found(signed_in: Console) -> None:
    pool_id, other = import_pool(signed_in.idp), import_pool(signed_in.idp)
    job_id = _create(signed_in, pool_id)
    assert signed_in.http.get(f"/console/pools/{other}/import-job?job={job_id}").status_code == 404
    answer = _upload(signed_in, other, job_id, b"x\n")
    assert answer.status_code == 404


def test_console_import_jobs__stop_a_pending_job(signed_in: Console) -> None:
    console = signed_in
    console.runtime.imports.stop()
    pool_id = import_pool(console.idp)
    job_id = _create(console, pool_id)
    assert _upload(console, pool_id, job_id, csv_file(header(console.idp, pool_id), [user_row("a")])).status_code == 303
    console.post(f"/console/pools/{pool_id}/import-job/action?job={job_id}", {"action": "start"})
    page = console.http.get(f"/console/pools/{pool_id}/import-job?job={job_id}")
    assert 'http-equiv="refresh"' in page.text and 'value="stop"' in page.text
    stopped = console.post(f"/console/pools/{pool_id}/import-job/action?job={job_id}", {"action": "stop"})
    assert stopped.status_code == 303
    job = console.idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    assert job["Status"] == "Stopped"
