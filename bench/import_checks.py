"""What ``bench imports`` checks after a job of a mixed file (bench/import_files.py) has ended, each check a
sentence in the list of problems it returns (empty: every one held):

- DescribeUserImportJob: Succeeded, with Cognito's CompletionMessage, and ImportedUsers, SkippedUsers and
  FailedUsers exactly as the file was written; DescribeUserPool's EstimatedNumberOfUsers the imported users.
- The skipped and failed lines, where the server keeps them for the operator: the job's results in its database
  (what the console's import job page lists), and the import log exported to the pool's import log group's sink
  (Cognito's CloudWatch log of the job). Each must name exactly the bad lines, each with its outcome and reason,
  and the log must end with the job's summary.
- A user of each hash form is CONFIRMED and its stored hash still the imported one; a wrong password is refused
  (InitiateAuth USER_PASSWORD_AUTH, NotAuthorizedException); the old password signs it in; its stored hash is
  then argon2id, and the old password signs it in again against that. A user without a hash is RESET_REQUIRED;
  the user of a failed line does not exist.

The database is only read: SQLite's file opened read-only (``mode=ro``), PostgreSQL in read-only transactions.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import sqlalchemy as sa
from botocore.config import Config
from botocore.exceptions import ClientError

from bench.import_files import STORED_PREFIXES, Mix
from bench.servers import ACCESS_KEY, REGION, SECRET_KEY, Server

SUCCEEDED_MESSAGE = "Import Job Completed Successfully."


def idp_client(server: Server) -> Any:
    """boto3's cognito-idp client on the server, signing with the admin key it was started with."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=server.endpoint.base_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"total_max_attempts": 1}, read_timeout=120),
    )


class ReadOnlyDatabase:
    """The server's database, read and never written."""

    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        self._postgresql = parsed.get_backend_name() == "postgresql"
        if self._postgresql:
            self._engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        else:
            path = Path(parsed.database or "")
            self._engine = sa.create_engine(
                "sqlite://",
                creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True),
                poolclass=sa.pool.NullPool,
            )

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn:
            if self._postgresql:
                conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            yield conn
            conn.rollback()

    def stored_hash(self, pool_id: str, username: str) -> str | None:
        with self._reading() as conn:
            found = conn.execute(
                sa.text("SELECT password_hash FROM users WHERE pool_id = :pool AND username_norm = :name"),
                {"pool": pool_id, "name": username},
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def results(self, job_id: str) -> dict[int, tuple[str, str]]:
        """The job's skipped and failed lines: line -> (outcome, reason)."""
        with self._reading() as conn:
            rows = conn.execute(
                sa.text("SELECT line, outcome, reason FROM user_import_results WHERE job_id = :job"), {"job": job_id}
            ).all()
        return {int(line): (str(outcome), str(reason)) for line, outcome, reason in rows}

    def close(self) -> None:
        self._engine.dispose()


def summary(imported: int, skipped: int, failed: int) -> str:
    return f"{SUCCEEDED_MESSAGE} Imported {imported}, skipped {skipped}, failed {failed}."


def exported_log(log: Path, job_id: str, last: str, seconds: float = 60.0) -> list[str]:
    """The job's messages in the exported import log, once its summary ``last`` has arrived (events are
    written by the server's log delivery thread, soon after each batch), or as they are after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        messages = []
        if log.exists():
            for text in log.read_text().splitlines():
                event = json.loads(text)
                if event.get("eventSource") == "USER_IMPORT" and event["logSourceId"].get("jobId") == job_id:
                    messages.append(str(event["message"]))
        if last in messages or time.monotonic() >= deadline:
            return messages
        time.sleep(0.2)


def _differences(what: str, found: dict[int, tuple[str, str]], expected: dict[int, tuple[str, str]]) -> list[str]:
    problems = []
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    wrong = sorted(n for n in set(found) & set(expected) if found[n] != expected[n])
    if missing:
        problems.append(f"{what}: {len(missing)} bad lines missing, e.g. line {missing[0]} {expected[missing[0]]}")
    if extra:
        problems.append(f"{what}: {len(extra)} lines that should have imported, e.g. line {extra[0]} {found[extra[0]]}")
    for n in wrong[:5]:
        problems.append(f"{what}: line {n} is {found[n]}, not {expected[n]}")
    if len(wrong) > 5:
        problems.append(f"{what}: {len(wrong) - 5} more lines with the wrong outcome or reason")
    return problems


def _log_lines(messages: list[str]) -> dict[int, tuple[str, str]]:
    """``[FAILED] Line Number 12 - <reason>`` messages by line."""
    found = {}
    for message in messages:
        if not message.startswith("[") or " Line Number " not in message:
            continue
        outcome, rest = message[1:].split("] Line Number ", 1)
        number, reason = rest.split(" - ", 1)
        found[int(number)] = (outcome, reason)
    return found


def _error_code(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "no error"


def check_counts(idp: Any, pool_id: str, job: dict[str, Any], mix: Mix) -> list[str]:
    problems = []
    found = (job["Status"], job.get("CompletionMessage"), job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"])
    expected = ("Succeeded", SUCCEEDED_MESSAGE, mix.imported, mix.skipped, mix.failed)
    if found != expected:
        problems.append(f"the job ended (status, message, imported, skipped, failed) = {found}, not {expected}")
    users = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("EstimatedNumberOfUsers")
    if users != mix.imported:
        problems.append(f"the pool has {users} users, not the {mix.imported:,} imported")
    return problems


def check_reasons(db: ReadOnlyDatabase, log: Path, job_id: str, mix: Mix) -> list[str]:
    problems = _differences("the job's kept results", db.results(job_id), mix.outcomes)
    last = summary(mix.imported, mix.skipped, mix.failed)
    messages = exported_log(log, job_id, last)
    lines = _log_lines(messages)
    problems += _differences("the exported import log", lines, mix.outcomes)
    written = sum(1 for m in messages if " Line Number " in m)
    if written != len(lines):
        problems.append(f"the exported import log names {written - len(lines)} lines more than once")
    if not messages or messages[-1] != last:
        problems.append(f"the exported import log does not end with {last!r} (it ends {messages[-1:]})")
    return problems


def check_sign_ins(idp: Any, db: ReadOnlyDatabase, pool_id: str, client_id: str, mix: Mix) -> list[str]:
    problems = []

    def sign_in(username: str, password: str) -> Any:
        return idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    for user in mix.sign_ins:
        who = f"{user.username} ({user.form} hash)"
        before = db.stored_hash(pool_id, user.username) or ""
        if not before.startswith(STORED_PREFIXES[mix.algorithm]):
            problems.append(f"{who}: the stored hash before signing in is {before[:20]!r}...")
        status = idp.admin_get_user(UserPoolId=pool_id, Username=user.username)["UserStatus"]
        if status != "CONFIRMED":
            problems.append(f"{who}: {status}, not CONFIRMED")
        code = _error_code(lambda u=user: sign_in(u.username, u.password + "-wrong"))
        if code != "NotAuthorizedException":
            problems.append(f"{who}: a wrong password gave {code}, not NotAuthorizedException")
        try:
            tokens = sign_in(user.username, user.password)["AuthenticationResult"]
        except ClientError as error:
            problems.append(f"{who}: the old password was refused: {error}")
            continue
        if "AccessToken" not in tokens:
            problems.append(f"{who}: no access token for the old password")
        after = db.stored_hash(pool_id, user.username) or ""
        if not after.startswith("$argon2id$"):
            problems.append(f"{who}: after signing in the stored hash is {after[:20]!r}..., not argon2id")
        code = _error_code(lambda u=user: sign_in(u.username, u.password))
        if code != "no error":
            problems.append(f"{who}: the old password against the new argon2id hash gave {code}")
    status = idp.admin_get_user(UserPoolId=pool_id, Username=mix.reset_required)["UserStatus"]
    if status != "RESET_REQUIRED":
        problems.append(f"{mix.reset_required} (no hash): {status}, not RESET_REQUIRED")
    code = _error_code(lambda: idp.admin_get_user(UserPoolId=pool_id, Username=mix.not_imported))
    if code != "UserNotFoundException":
        problems.append(f"{mix.not_imported} (a failed line): AdminGetUser gave {code}, not UserNotFoundException")
    return problems
