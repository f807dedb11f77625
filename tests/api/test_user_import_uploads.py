"""The pre-signed URL of CreateUserImportJob: what it refuses (a wrong, tampered or missing signature, an expired
URL, a job no longer Created, a body beyond the limit), and that a plain HTTP PUT of the file works without any
AWS signature, in process (httpx through Starlette's test client) and over a real socket (httpx, curl -T)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.pools import error_of
from tests.support.user_import import (
    create_job,
    csv_file,
    header,
    import_pool,
    upload,
    user_row,
    wait_until_finished,
)
from userpool.app import build_runtime, create_app
from userpool.clock import FixedClock


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return parts._replace(query=urlencode(query)).geturl()


def _s3_error(answer: httpx.Response) -> tuple[int, str]:
    assert answer.headers["content-type"].startswith("application/xml"), answer.text
    code = answer.text.split("<Code>", 1)[1].split("</Code>", 1)[0]
    return answer.status_code, code


def _no_file(idp: Any, pool_id: str, job_id: str) -> None:
    """Nothing was taken: the job still waits for its file."""
    code, message = error_of(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job_id))
    assert (code, message) == ("PreconditionNotMetException", "The CSV file of the import job has not been uploaded.")


@pytest.fixture
def clocked_server(tmp_path: Path, database_url: str, clock: FixedClock) -> Iterator[Server]:
    # Dev mode: the clock the test moves is not the one boto3 signs with.
    with running_server(make_settings(tmp_path / "data", database_url, dev=True), clock) as server:
        yield server


def _one_user_file(idp: Any, pool_id: str) -> bytes:
    return csv_file(header(idp, pool_id), [user_row("alice")])


def test_create_user_import_job__url_refuses_a_wrong_signature(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    signature = parse_qs(urlsplit(job["PreSignedUrl"]).query)["signature"][0]
    wrong = ("0" if signature[0] != "0" else "1") + signature[1:]
    answer = upload(app_server.test_client, _with_query(job["PreSignedUrl"], signature=wrong), b"x\n")
    assert _s3_error(answer) == (403, "SignatureDoesNotMatch")
    _no_file(idp, pool_id, job["JobId"])


def test_create_user_import_job__url_refuses_another_jobs_signature(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    mine, other = create_job(idp, pool_id, "mine"), create_job(idp, pool_id, "other")
    other_query = parse_qs(urlsplit(other["PreSignedUrl"]).query)
    url = _with_query(mine["PreSignedUrl"], signature=other_query["signature"][0], expires=other_query["expires"][0])
    assert _s3_error(upload(app_server.test_client, url, b"x\n")) == (403, "SignatureDoesNotMatch")
    _no_file(idp, pool_id, mine["JobId"])


def test_create_user_import_job__url_refuses_a_later_expiry(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    expires = int(parse_qs(urlsplit(job["PreSignedUrl"]).query)["expires"][0])
    url = _with_query(job["PreSignedUrl"], expires=str(expires + 86_400))
    assert _s3_error(upload(app_server.test_client, url, b"x\n")) == (403, "SignatureDoesNotMatch")
    _no_file(idp, pool_id, job["JobId"])


@pytest.mark.parametrize("missing", ["signature", "expires"])
def test_create_user_import_job__url_refuses_missing_parameters(app_server: Server, idp: Any, missing: str) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    answer = upload(app_server.test_client, _with_query(job["PreSignedUrl"], **{missing: None}), b"x\n")
    assert _s3_error(answer) == (403, "AccessDenied")
    _no_file(idp, pool_id, job["JobId"])


def test_create_user_import_job__url_refuses_after_fifteen_minutes(clocked_server: Server, clock: FixedClock) -> None:
    idp = clocked_server.client()
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    clock.advance(15 * 60)
    answer = upload(clocked_server.test_client, job["PreSignedUrl"], _one_user_file(idp, pool_id))
    assert _s3_error(answer) == (403, "AccessDenied")
    assert "Request has expired" in answer.text
    _no_file(idp, pool_id, job["JobId"])


def test_create_user_import_job__url_takes_the_file_until_it_expires(clocked_server: Server, clock: FixedClock) -> None:
    idp = clocked_server.client()
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    clock.advance(15 * 60 - 1)
    answer = upload(clocked_server.test_client, job["PreSignedUrl"], _one_user_file(idp, pool_id))
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"].startswith('"')


def test_create_user_import_job__url_refuses_a_started_job(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    first = csv_file(header(idp, pool_id), [user_row("first")])
    assert upload(app_server.test_client, job["PreSignedUrl"], first).status_code == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    second = csv_file(header(idp, pool_id), [user_row("second")])
    assert _s3_error(upload(app_server.test_client, job["PreSignedUrl"], second)) == (412, "PreconditionFailed")
    done = wait_until_finished(idp, pool_id, job["JobId"])
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1)
    names = [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]
    assert names == ["first"]


def test_create_user_import_job__url_refuses_a_stopped_or_ended_job(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    assert upload(app_server.test_client, job["PreSignedUrl"], _one_user_file(idp, pool_id)).status_code == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    # Stopped, or finished first: the background worker may take a one-line file before the stop arrives.
    try:
        idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    except idp.exceptions.PreconditionNotMetException:
        pass
    done = wait_until_finished(idp, pool_id, job["JobId"])
    assert done["Status"] in ("Stopped", "Succeeded")
    assert _s3_error(upload(app_server.test_client, job["PreSignedUrl"], b"x\n")) == (412, "PreconditionFailed")


def test_create_user_import_job__url_of_a_deleted_pool(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    idp.delete_user_pool(UserPoolId=pool_id)
    assert _s3_error(upload(app_server.test_client, job["PreSignedUrl"], b"x\n")) == (404, "NoSuchUpload")


def test_create_user_import_job__url_replaces_the_file_while_created(app_server: Server, idp: Any) -> None:
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    columns = header(idp, pool_id)
    assert upload(app_server.test_client, job["PreSignedUrl"], csv_file(columns, [user_row("old")])).status_code == 200
    again = csv_file(columns, [user_row("new"), user_row("newer")])
    assert upload(app_server.test_client, job["PreSignedUrl"], again).status_code == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_until_finished(idp, pool_id, job["JobId"])
    assert done["ImportedUsers"] == 2
    assert sorted(u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]) == ["new", "newer"]


def test_create_user_import_job__url_refuses_a_body_beyond_the_limit(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path / "data", database_url, user_import_max_file_bytes=1000)
    with running_server(settings) as server:
        idp = server.client()
        pool_id = import_pool(idp)
        job = create_job(idp, pool_id)
        rows = [user_row(f"user{i}") for i in range(40)]
        body = csv_file(header(idp, pool_id), rows)
        assert len(body) > 1000

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for start in range(0, len(body), 100):
                yield body[start : start + 100]

        answer = server.test_client.put(job["PreSignedUrl"], content=chunks())
        assert _s3_error(answer) == (413, "EntityTooLarge")
        _no_file(idp, pool_id, job["JobId"])
        assert list((tmp_path / "data" / "imports").iterdir()) == []


@pytest.fixture
def socket_server(tmp_path: Path, database_url: str) -> Iterator[tuple[str, Any]]:
    """The server on a real loopback socket, its public URL that socket's, so that its pre-signed URLs reach
    it; and a boto3 client over the socket."""
    sock = listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = make_settings(
        tmp_path / "data", database_url, public_url=url, user_import_max_file_bytes=10 * 1024 * 1024
    )
    runtime = build_runtime(settings)
    with serve_in_thread(create_app(settings, runtime=runtime), sock) as base:
        yield base, socket_client(base, ACCESS_KEY, SECRET_KEY)
    runtime.store.dispose()


def test_create_user_import_job__url_works_with_a_plain_httpx_put(socket_server: tuple[str, Any]) -> None:
    base, idp = socket_server
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    assert job["PreSignedUrl"].startswith(f"{base}/user-import/{job['JobId']}?")
    body = csv_file(header(idp, pool_id), [user_row(f"user{i}") for i in range(300)])
    answer = httpx.put(job["PreSignedUrl"], content=body)
    assert answer.status_code == 200, answer.text
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_until_finished(idp, pool_id, job["JobId"])["ImportedUsers"] == 300


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_create_user_import_job__url_works_with_curl_upload_file(
    socket_server: tuple[str, Any], tmp_path: Path
) -> None:
    _, idp = socket_server
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    path = tmp_path / "users.csv"
    path.write_bytes(csv_file(header(idp, pool_id), [user_row("carol")]))
    done = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail", "-T", str(path), job["PreSignedUrl"]],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_until_finished(idp, pool_id, job["JobId"])["ImportedUsers"] == 1


def test_create_user_import_job__url_refuses_a_declared_length_beyond_the_limit(
    socket_server: tuple[str, Any],
) -> None:
    base, idp = socket_server
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    target = urlsplit(job["PreSignedUrl"])
    with socket.create_connection((target.hostname, target.port), timeout=10) as conn:
        request = (
            f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n"
            f"Content-Length: {10 * 1024 * 1024 + 1}\r\n\r\n"
        )
        conn.sendall(request.encode())
        answer = conn.recv(65536).decode()
    # Answered before the body is sent, from the declared length alone.
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "<Code>EntityTooLarge</Code>" in answer
    assert base
