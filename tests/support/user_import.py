"""What the user import tests share: a pool that can import users, CSV files in GetCSVHeader's columns, the
upload to a job's pre-signed URL and waiting for a job to end."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

ROLE_ARN = "arn:aws:iam::123456789012:role/CognitoImportRole"
FINISHED = ("Succeeded", "Failed", "Stopped", "Expired")


def import_pool(idp: Any, **config: Any) -> str:
    """A pool whose users verify their email address (import needs an auto-verified attribute)."""
    settings = {"AutoVerifiedAttributes": ["email"], **config}
    return str(idp.create_user_pool(PoolName="imports", **settings)["UserPool"]["Id"])


def header(idp: Any, pool_id: str, extra: Iterable[str] = ()) -> list[str]:
    return [*idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"], *extra]


def csv_file(columns: list[str], rows: Iterable[Mapping[str, str]]) -> bytes:
    """A CSV file of ``columns`` with one line per row (a column a row does not name is empty); values are
    written as Cognito's format has them, a comma inside one as ``\\,``."""
    lines = [",".join(columns)]
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, unknown
        lines.append(",".join(str(row.get(c, "")).replace(",", "\\,") for c in columns))
    return ("\n".join(lines) + "\n").encode()


def user_row(name: str, **values: str) -> dict[str, str]:
    """A line that imports: a username, a verified email, MFA off."""
    return {
        "cognito:username": name,
        "email": f"{name}@example.com",
        "email_verified": "true",
        "cognito:mfa_enabled": "false",
        **values,
    }


def create_job(idp: Any, pool_id: str, name: str = "import", **extra: Any) -> dict[str, Any]:
    job = idp.create_user_import_job(UserPoolId=pool_id, JobName=name, CloudWatchLogsRoleArn=ROLE_ARN, **extra)
    return dict(job["UserImportJob"])


def upload(http: httpx.Client, url: str, body: bytes, **headers: str) -> httpx.Response:
    """PUT the file to the pre-signed URL as a plain HTTP client does (no AWS signature)."""
    return http.put(url, content=body, headers={"Content-Type": "text/csv", **headers})


def wait_until_finished(idp: Any, pool_id: str, job_id: str, seconds: float = 120.0) -> dict[str, Any]:
    """DescribeUserImportJob's job once it has ended (the import runs in the server's background)."""
    deadline = time.monotonic() + seconds
    while True:
        job = dict(idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"])
        if job["Status"] in FINISHED:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def run_import(
    idp: Any, http: httpx.Client, pool_id: str, body: bytes, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create a job, upload ``body``, start it and wait for its end: (the job as created, as ended)."""
    job = create_job(idp, pool_id, **extra)
    answer = upload(http, job["PreSignedUrl"], body)
    assert answer.status_code == 200, answer.text
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return job, wait_until_finished(idp, pool_id, job["JobId"])
