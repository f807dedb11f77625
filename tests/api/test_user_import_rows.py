"""What an import job makes of the lines of its file (Cognito developer guide: 'Creating the user import CSV
file'): the users it adds and their status and attributes, the lines it skips and fails with the reason its log
gives, the jobs that fail as a whole, a stop between batches, and a job taken over where its worker left it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, make_settings, running_server
from tests.support.pools import error_of
from tests.support.user_import import (
    create_job,
    csv_file,
    header,
    import_pool,
    run_import,
    upload,
    user_row,
    wait_until_finished,
)
from userpool.config import LogDeliverySettings, log_sink
from userpool.context import Ctx
from userpool.model.import_jobs import ImportStatus
from userpool.model.import_rows import NOT_VERIFIED
from userpool.services.user_import.steps.runner import BATCH, run_job


@dataclass
class World:
    server: Server
    idp: Any
    log: Path


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[World]:
    log = tmp_path / "import-log.jsonl"
    delivery = LogDeliverySettings(default_sink=log_sink(f"file://{log}"))
    with running_server(make_settings(tmp_path / "data", database_url, log_delivery=delivery)) as server:
        yield World(server, server.client(), log)


def _log_lines(world: World, count: int) -> list[dict[str, Any]]:
    """The first ``count`` exported log events (written by the log delivery thread, soon after the job)."""
    deadline = time.monotonic() + 30
    while True:
        lines = world.log.read_text().splitlines() if world.log.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        assert time.monotonic() < deadline, lines
        time.sleep(0.02)


def _messages(world: World, count: int) -> list[str]:
    return [event["message"] for event in _log_lines(world, count)]


@pytest.mark.every_database
def test_start_user_import_job__imports_a_file_of_users_with_its_bad_lines(world: World) -> None:
    idp = world.idp
    pool_id = import_pool(idp, AliasAttributes=["email"])
    idp.admin_create_user(UserPoolId=pool_id, Username="existing", MessageAction="SUPPRESS")
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="holder",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "taken@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    columns = header(idp, pool_id)
    good = [user_row(f"user{i:03d}", given_name=f"Given {i}") for i in range(300)]
    good[0] |= {"birthdate": "02/01/1985", "address": "1 Main Street, Springfield", "phone_number": "+12345550100"}
    bad = [
        (
            {
                "cognito:username": "",
                "email": "x@example.com",
                "email_verified": "true",
                "cognito:mfa_enabled": "false",
            },
            "FAILED",
            "The cognito:username value is required.",
        ),
        (user_row("has space"), "FAILED", "The cognito:username value must not contain spaces or tabs."),
        (
            user_row("unverified", email_verified="false"),
            "FAILED",
            NOT_VERIFIED,
        ),
        (user_row("noemail", email=""), "FAILED", "email_verified is true but the email value is empty."),
        (user_row("bademail", email="not-an-address"), "FAILED", "Invalid email address format."),
        (
            user_row("maybe", **{"cognito:mfa_enabled": "maybe"}),
            "FAILED",
            "The cognito:mfa_enabled value must be true or false.",
        ),
        (
            user_row("mfa", **{"cognito:mfa_enabled": "true"}),
            "FAILED",
            "The user pool has MFA turned off: cognito:mfa_enabled must be false.",
        ),
        (user_row("existing"), "SKIPPED", "The user already exists."),
        (user_row("user005"), "SKIPPED", "The user already exists."),
        (user_row("aliased", email="taken@example.com"), "FAILED", "An account with the given email already exists."),
        (
            user_row("badbirth", birthdate="1985/02/01"),
            "FAILED",
            "Attributes did not conform to the schema: birthdate: Date must be in the format YYYY-MM-DD",
        ),
    ]
    body = csv_file(columns, [*good, *(row for row, _, _ in bad)])
    # Lines no row builder writes: too many values, too long, not UTF-8.
    body += b"extra,values," + b",".join([b""] * len(columns)) + b"\n"
    body += b"long" + b"x" * 16_001 + b"\n"
    body += b"\xff\xfe" + b"," * (len(columns) - 1) + b"\n"
    job, done = run_import(idp, world.server.test_client, pool_id, body)

    assert done["Status"] == "Succeeded"
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (300, 2, len(bad) - 2 + 3)
    first_bad = 2 + len(good)  # line 1 is the header
    expected = [f"[{outcome}] Line Number {first_bad + i} - {reason}" for i, (_, outcome, reason) in enumerate(bad)] + [
        f"[FAILED] Line Number {first_bad + len(bad)} - The line has {len(columns) + 2} values; "
        f"the header has {len(columns)} columns.",
        f"[FAILED] Line Number {first_bad + len(bad) + 1} - The line is longer than 16,000 characters.",
        f"[FAILED] Line Number {first_bad + len(bad) + 2} - The line is not UTF-8.",
    ]
    messages = _messages(world, len(expected) + 1)
    assert messages[:-1] == expected
    assert messages[-1] == "Import Job Completed Successfully. Imported 300, skipped 2, failed 12."
    events = _log_lines(world, len(expected) + 1)
    assert {e["eventSource"] for e in events} == {"USER_IMPORT"}
    assert events[0]["logSourceId"] == {"userPoolId": pool_id, "jobId": job["JobId"], "jobName": "import"}
    assert events[0]["logLevel"] == "ERROR"

    user = idp.admin_get_user(UserPoolId=pool_id, Username="user000")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "RESET_REQUIRED"
    assert attributes["birthdate"] == "1985-02-01"
    assert attributes["address"] == "1 Main Street, Springfield"
    assert attributes["email_verified"] == "true"
    assert attributes["given_name"] == "Given 0"
    listed = idp.list_users(UserPoolId=pool_id, Filter='username ^= "user"', Limit=60)
    assert len(listed["Users"]) == 60


def test_start_user_import_job__imported_user_must_reset_its_password(world: World) -> None:
    idp = world.idp
    pool_id = import_pool(idp)
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    run_import(idp, world.server.test_client, pool_id, csv_file(header(idp, pool_id), [user_row("dora")]))
    code, message = error_of(
        lambda: idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "dora", "PASSWORD": "x" * 8}
        )
    )
    assert (code, message) == ("PasswordResetRequiredException", "Password reset required for the user")


def test_start_user_import_job__sms_mfa_where_the_pool_requires_it(world: World) -> None:
    idp = world.idp
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms", "ExternalId": "ext-1"}
    pool_id = import_pool(idp, MfaConfiguration="ON", SmsConfiguration=sms)
    rows = [
        user_row("mfa", phone_number="+12345550100", **{"cognito:mfa_enabled": "true"}),
        user_row("nomfa", **{"cognito:mfa_enabled": "false"}),
    ]
    _, done = run_import(idp, world.server.test_client, pool_id, csv_file(header(idp, pool_id), rows))
    assert (done["ImportedUsers"], done["FailedUsers"]) == (1, 1)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="mfa")["UserMFASettingList"] == ["SMS_MFA"]


def test_start_user_import_job__email_as_username(world: World) -> None:
    idp = world.idp
    pool_id = import_pool(idp, UsernameAttributes=["email"])
    rows = [user_row("eve@example.com", email="eve@example.com"), user_row("eve@example.com", email="eve@example.com")]
    _, done = run_import(idp, world.server.test_client, pool_id, csv_file(header(idp, pool_id), rows))
    assert (done["ImportedUsers"], done["SkippedUsers"]) == (1, 1)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="eve@example.com")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email"] == "eve@example.com"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cols: [c for c in cols if c != "email_verified"], "The CSV header is missing columns: email_verified"),
        (
            lambda cols: [*cols, "custom:nothere"],
            "The CSV header has columns the user pool does not have: custom:nothere",
        ),
        (lambda cols: [*cols, "email"], "The CSV header has columns twice: email"),
    ],
)
def test_start_user_import_job__fails_on_a_bad_header(world: World, change: Any, message: str) -> None:
    idp = world.idp
    pool_id = import_pool(idp)
    columns = change(header(idp, pool_id))
    lines = [",".join(columns), ",".join(["x"] * len(columns))]
    _, done = run_import(idp, world.server.test_client, pool_id, ("\n".join(lines) + "\n").encode())
    assert (done["Status"], done["CompletionMessage"]) == ("Failed", message)
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (0, 0, 0)
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    assert _messages(world, 1) == [message]


def test_start_user_import_job__fails_when_nobody_is_imported(world: World) -> None:
    idp = world.idp
    pool_id = import_pool(idp)
    rows = [user_row(f"u{i}", email_verified="false") for i in range(3)]
    _, done = run_import(idp, world.server.test_client, pool_id, csv_file(header(idp, pool_id), rows))
    assert done["Status"] == "Failed"
    assert done["CompletionMessage"] == "Too many users have failed or been skipped during the import."
    assert done["FailedUsers"] == 3


def test_start_user_import_job__fails_beyond_the_row_limit(tmp_path: Path, database_url: str) -> None:
    with running_server(make_settings(tmp_path / "data", database_url, user_import_max_rows=5)) as server:
        idp = server.client()
        pool_id = import_pool(idp)
        rows = [user_row(f"u{i}") for i in range(6)]
        _, done = run_import(idp, server.test_client, pool_id, csv_file(header(idp, pool_id), rows))
        assert (done["Status"], done["CompletionMessage"]) == ("Failed", "The CSV file has more than 5 users.")
        assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def _ctx(server: Server) -> Ctx:
    deps = server.runtime.deps
    return Ctx(deps, "test", deps.clock.now(), deps.settings.region)


def _claim(server: Server, job_id: str, worker: str) -> Any:
    ctx = _ctx(server)
    with ctx.store.write() as tx:
        job = tx.import_jobs.claim(job_id, worker, ctx.now, ctx.now + 120)
    assert job is not None
    return job


def _started_without_worker(server: Server, rows: int) -> tuple[Any, str, str]:
    """A Pending job of ``rows`` users on a server whose import worker is stopped."""
    server.runtime.imports.stop()
    idp = server.client()
    pool_id = import_pool(idp)
    job = create_job(idp, pool_id)
    body = csv_file(header(idp, pool_id), [user_row(f"u{i:04d}") for i in range(rows)])
    assert upload(server.test_client, job["PreSignedUrl"], body).status_code == 200
    idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    return idp, pool_id, job["JobId"]


def test_stop_user_import_job__stops_between_batches(world: World) -> None:
    idp, pool_id, job_id = _started_without_worker(world.server, 3 * BATCH)
    claimed = _claim(world.server, job_id, "worker-a")
    assert idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]["Status"] == "InProgress"
    stopping = idp.stop_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    assert stopping["Status"] == "Stopping"
    left = run_job(_ctx(world.server), claimed, "worker-a")
    assert left.status == ImportStatus.STOPPED
    done = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    assert (done["Status"], done["CompletionMessage"]) == ("Stopped", "The Import Job was stopped by the developer.")
    assert done["ImportedUsers"] == 0


def test_start_user_import_job__a_job_let_go_goes_on_where_it_was_left(world: World) -> None:
    idp, pool_id, job_id = _started_without_worker(world.server, 3 * BATCH + 7)
    claimed = _claim(world.server, job_id, "worker-a")
    asked = iter([False, True])  # one batch, then the process is ending
    left = run_job(_ctx(world.server), claimed, "worker-a", lambda: next(asked))
    assert (left.status, left.imported, left.worker) == (ImportStatus.IN_PROGRESS, BATCH, None)
    world.server.runtime.imports.start()
    done = wait_until_finished(idp, pool_id, job_id)
    assert (done["Status"], done["ImportedUsers"], done["SkippedUsers"]) == ("Succeeded", 3 * BATCH + 7, 0)


@pytest.mark.every_database
def test_start_user_import_job__a_dead_workers_job_is_taken_over(world: World) -> None:
    idp, pool_id, job_id = _started_without_worker(world.server, BATCH + 3)
    # A worker that took the job and died before its first batch: its lease has run out.
    ctx = _ctx(world.server)
    with ctx.store.write() as tx:
        assert tx.import_jobs.claim(job_id, "dead", ctx.now - 300, ctx.now - 180) is not None
    world.server.runtime.imports.start()
    done = wait_until_finished(idp, pool_id, job_id)
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", BATCH + 3)
