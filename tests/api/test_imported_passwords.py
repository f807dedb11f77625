"""Users imported with their old password hashes (CreateUserImportJob's PasswordHashingAlgorithm): each format
imported and bounded, the old password signing in through USER_PASSWORD_AUTH and the hosted sign-in page, the
hash then replaced by the server's argon2id and the SRP verifier enrolled, SRP refused before that; driven over
a real socket with boto3, httpx and pycognito."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import argon2
import bcrypt
import httpx
import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.oauth.conftest import CALLBACK, oauth_client
from tests.support import hosted
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.pools import error_of
from tests.support.user_import import csv_file, header, import_pool, run_import, user_row
from userpool.app import Runtime, build_runtime, create_app
from userpool.config import LogDeliverySettings, log_sink
from userpool.model.records import User

OLD = "0ld-Passw0rd-from-the-legacy-app"
HASH = "cognito:password_hash"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def scrypt_hash(password: str, log2_n: int = 10, r: int = 8, p: int = 1) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=1 << log2_n, r=r, p=p, dklen=32)
    return f"$scrypt$ln={log2_n},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def pbkdf2_phc(password: str, iterations: int = 10_000) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"$pbkdf2-sha256$i={iterations},l=32${_b64(salt)}${_b64(digest)}"


def pbkdf2_passlib(password: str, iterations: int = 10_000) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"$pbkdf2-sha256${iterations}${_b64(salt).replace('+', '.')}${_b64(digest).replace('+', '.')}"


def pbkdf2_django(password: str, iterations: int = 10_000) -> str:
    salt = "fRnq1pnf6qYCtGj7ZbTRjD"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def argon2id_hash(password: str, memory_kib: int = 8192, time_cost: int = 1, parallelism: int = 2) -> str:
    hasher = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    return hasher.hash(password)


@dataclass
class Served:
    url: str
    idp: Any
    runtime: Runtime
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("imported-passwords")
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    log = folder / "import-log.jsonl"
    settings = make_settings(
        folder / "data",
        f"sqlite:///{folder / 'userpool.sqlite3'}",
        port=port,
        public_url=url,
        log_delivery=LogDeliverySettings(default_sink=log_sink(f"file://{log}")),
    )
    runtime = build_runtime(settings)
    with serve_in_thread(create_app(settings, runtime=runtime), sock):
        yield Served(url, socket_client(url, ACCESS_KEY, SECRET_KEY), runtime, log)
    runtime.store.dispose()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def _stored(served: Served, pool_id: str, username: str) -> User:
    with served.runtime.store.read() as tx:
        user = tx.users.get_by_username(pool_id, username)
    assert user is not None
    return user


def _failures(served: Served, job_id: str, count: int) -> list[str]:
    """The job's failed and skipped lines as its exported log shows them."""
    deadline = time.monotonic() + 30
    while True:
        events = [json.loads(line) for line in served.log.read_text().splitlines()] if served.log.exists() else []
        mine = [
            e["message"] for e in events if e["logSourceId"].get("jobId") == job_id and "Line Number" in e["message"]
        ]
        if len(mine) >= count:
            return mine
        assert time.monotonic() < deadline, mine
        time.sleep(0.02)


def _sign_in(served: Served, client_id: str, username: str, password: str) -> dict[str, Any]:
    answer = served.idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    return dict(answer["AuthenticationResult"])


def _srp(served: Served, pool_id: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    srp = AWSSRP(username, password, pool_id, client_id, client=served.idp)
    return dict(srp.authenticate_user()["AuthenticationResult"])


def _pool_and_client(served: Served) -> tuple[str, str]:
    pool_id = import_pool(served.idp)
    client = served.idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return pool_id, str(client["ClientId"])


FORMATS = {
    "SCRYPT": [scrypt_hash],
    "PBKDF2_SHA256": [pbkdf2_phc, pbkdf2_passlib, pbkdf2_django],
    "ARGON2ID": [argon2id_hash],
}
BEYOND = {
    "SCRYPT": (scrypt_hash(OLD, log2_n=4).replace("ln=4", "ln=20"), "The scrypt parameters must be 1 <= ln <= 17"),
    "PBKDF2_SHA256": (
        pbkdf2_phc(OLD, 1).replace("i=1,", "i=50000000,"),
        "The PBKDF2 iterations must be 1 to 2,000,000; they are 50,000,000.",
    ),
    "ARGON2ID": (
        argon2id_hash(OLD).replace("m=8192", "m=4194304"),
        "The argon2id parameters must be m <= 131072 KiB and t <= 10.",
    ),
}
# What a line whose hash is not of the job's algorithm at all fails with.
NOT_OF_KIND = {
    "SCRYPT": "The password hash is not an scrypt hash ($scrypt$ln=...,r=...,p=...$salt$hash).",
    "PBKDF2_SHA256": (
        "The password hash is not a PBKDF2-SHA256 hash ($pbkdf2-sha256$i=...$salt$hash, passlib's or Django's)."
    ),
    "ARGON2ID": "The password hash is not an argon2id hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash).",
}


@pytest.mark.parametrize("algorithm", sorted(FORMATS))
def test_start_user_import_job__old_passwords_sign_in_and_are_rehashed(
    served: Served, http: httpx.Client, algorithm: str
) -> None:
    idp = served.idp
    pool_id, client_id = _pool_and_client(served)
    columns = header(idp, pool_id, [HASH])
    hashed = [user_row(f"hashed{i}", **{HASH: make(f"{OLD}{i}")}) for i, make in enumerate(FORMATS[algorithm])]
    plain = [user_row(f"plain{i}") for i in range(200)]
    absurd, reason = BEYOND[algorithm]
    other = "$2b$10$" + "a" * 53 if algorithm != "BCRYPT" else scrypt_hash(OLD)
    bad = [
        user_row("absurd", **{HASH: absurd}),
        user_row("garbage", **{HASH: "not-a-hash"}),
        user_row("other", **{HASH: other}),
    ]
    job, done = run_import(
        idp,
        http,
        pool_id,
        csv_file(columns, [*hashed, *plain, *bad]),
        PasswordHashingAlgorithm=algorithm,
    )
    assert (done["Status"], done["ImportedUsers"], done["FailedUsers"]) == ("Succeeded", len(hashed) + 200, 3)
    failures = _failures(served, job["JobId"], 3)
    first = 2 + len(hashed) + 200
    expected = [
        f"[FAILED] Line Number {first + n} - {why}"
        for n, why in enumerate((reason, NOT_OF_KIND[algorithm], NOT_OF_KIND[algorithm]))
    ]
    assert [f[: len(e)] for f, e in zip(failures, expected, strict=True)] == expected, failures

    for i in range(len(hashed)):
        name = f"hashed{i}"
        assert _stored(served, pool_id, name).srp_verifier is None
        assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"
        # SRP cannot check a foreign hash: refused as a wrong password until the first password sign-in.
        code, _ = error_of(lambda n=name, i=i: _srp(served, pool_id, client_id, n, f"{OLD}{i}"))
        assert code == "NotAuthorizedException"
        code, _ = error_of(lambda n=name: _sign_in(served, client_id, n, "Not-the-old-one-1"))
        assert code == "NotAuthorizedException"
        assert not _stored(served, pool_id, name).password_hash.startswith("$argon2id$v=19$m=19456")  # type: ignore[union-attr]
        assert "AccessToken" in _sign_in(served, client_id, name, f"{OLD}{i}")
        user = _stored(served, pool_id, name)
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        assert (
            argon2.extract_parameters(user.password_hash).memory_cost == served.runtime.deps.settings.argon2.memory_kib
        )
        assert user.srp_verifier is not None
        assert "AccessToken" in _sign_in(served, client_id, name, f"{OLD}{i}")
        assert "AccessToken" in _srp(served, pool_id, client_id, name, f"{OLD}{i}")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="plain0")["UserStatus"] == "RESET_REQUIRED"


def test_start_user_import_job__old_password_on_the_hosted_sign_in_page(served: Served, http: httpx.Client) -> None:
    idp = served.idp
    pool_id = import_pool(idp)
    client_id = oauth_client(idp, pool_id)["ClientId"]
    columns = header(idp, pool_id, [HASH])
    body = csv_file(columns, [user_row("webby", **{HASH: pbkdf2_django(OLD)})])
    _, done = run_import(idp, http, pool_id, body, PasswordHashingAlgorithm="PBKDF2_SHA256")
    assert done["ImportedUsers"] == 1
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid"}
    answer = hosted.sign_in(http, f"{served.url}/oauth2/authorize?{urlencode(query)}", "webby", OLD)
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    assert _stored(served, pool_id, "webby").password_hash.startswith("$argon2id$")  # type: ignore[union-attr]


def test_start_user_import_job__a_hash_without_an_algorithm_fails_its_line(served: Served, http: httpx.Client) -> None:
    idp = served.idp
    pool_id = import_pool(idp)
    columns = header(idp, pool_id, [HASH])
    body = csv_file(columns, [user_row("nohash"), user_row("hash", **{HASH: pbkdf2_phc(OLD)})])
    job, done = run_import(idp, http, pool_id, body)
    assert (done["ImportedUsers"], done["FailedUsers"]) == (1, 1)
    assert _failures(served, job["JobId"], 1) == [
        "[FAILED] Line Number 3 - The line has a password hash, but the import job has no PasswordHashingAlgorithm."
    ]


def test_create_user_import_job__bcrypt(served: Served, http: httpx.Client) -> None:
    idp = served.idp
    pool_id, client_id = _pool_and_client(served)
    columns = header(idp, pool_id, [HASH])
    legacy = bcrypt.hashpw(OLD.encode(), bcrypt.gensalt(rounds=4)).decode()
    php = legacy.replace("$2b$", "$2y$", 1)
    rows = [
        user_row("crypt", **{HASH: legacy}),
        user_row("php", **{HASH: php}),
        user_row("slow", **{HASH: legacy.replace("$04$", "$31$", 1)}),
    ]
    job, done = run_import(idp, http, pool_id, csv_file(columns, rows), PasswordHashingAlgorithm="BCRYPT")
    assert (done["ImportedUsers"], done["FailedUsers"]) == (2, 1)
    assert _failures(served, job["JobId"], 1) == ["[FAILED] Line Number 4 - The bcrypt cost must be 4 to 14; it is 31."]
    for name in ("crypt", "php"):
        code, _ = error_of(lambda n=name: _sign_in(served, client_id, n, "wrong-Passw0rd"))
        assert code == "NotAuthorizedException"
        assert "AccessToken" in _sign_in(served, client_id, name, OLD)
        assert _stored(served, pool_id, name).password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
