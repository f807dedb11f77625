"""The ListUsers pools: users bulk-loaded straight into our server's tables (or created through the API for
moto, which has no database), the filter queries the scenario sends, and the plan of every statement our
server runs for them.

The plans are read in the bench process, not the server's: it builds the same app on the same database,
sends one ListUsers of each kind through it in process, captures the SQL and asks the database for its plan
(the tests' ``plans`` helpers). A statement whose cost grows with the pool is flagged.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.api import CONTENT_TYPE, TARGET_PREFIX, CognitoClient
from bench.servers import ACCESS_KEY, REGION, SECRET_KEY, SERVER_SECRET, Server, with_source
from bench.sigv4 import Signer

BATCH = 5_000
STATUSES = ("CONFIRMED", "CONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED")


def username(i: int) -> str:
    return f"user{i:06d}"


def email(i: int) -> str:
    return f"{username(i)}@example.com"


def attributes(i: int) -> dict[str, str]:
    """The attributes of user ``i`` besides ``sub``."""
    return {
        "email": email(i),
        "email_verified": "true",
        "phone_number": f"+1555{i:07d}",
        "name": f"Given{i % 997} Family{i % 991}",
        "given_name": f"Given{i % 997}",
        "family_name": f"Family{i % 991}",
        "preferred_username": f"nick{i:06d}",
    }


def exact_filter(i: int) -> dict[str, Any]:
    """The measured query: one user by email."""
    return {"Filter": f'email = "{email(i)}"'}


def prefix_filter(i: int) -> dict[str, Any]:
    """Ten users: user012340 ... user012349."""
    return {"Filter": f'email ^= "{username(i)[:-1]}"'}


def first_page(_i: int) -> dict[str, Any]:
    return {"Limit": 60}


PLAN_QUERIES: dict[str, Callable[[int], dict[str, Any]]] = {
    'email = "..." (1 user)': exact_filter,
    'email ^= "..." (10 users)': prefix_filter,
    "no filter (page of 60)": first_page,
}


def bulk_load(database_url: str, pool_id: str, count: int) -> None:
    """Insert ``count`` users as AdminCreateUser stores them (sub also an attribute, verified email alias),
    one short transaction per batch so the running server's own writers never wait long."""
    from userpool.store.sql.engine import WRITE_OPTION, make_engine
    from userpool.store.sql.tables import VALUE_PREFIX_CHARS, user_aliases, user_attributes, users

    engine = make_engine(database_url)
    rng = random.Random(count)
    now = time.time()
    try:
        for start in range(0, count, BATCH):
            with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
                user_rows: list[dict[str, Any]] = []
                attribute_rows: list[dict[str, Any]] = []
                alias_rows: list[dict[str, Any]] = []
                for i in range(start, min(count, start + BATCH)):
                    sub = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    user_rows.append(
                        {
                            "pool_id": pool_id,
                            "sub": sub,
                            "username": username(i),
                            "username_norm": username(i),
                            "status": STATUSES[i % len(STATUSES)],
                            "enabled": i % 20 != 0,
                            "password_hash": None,
                            "password_expires_at": None,
                            "mfa": {},
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    values = {"sub": sub, **attributes(i)}
                    attribute_rows += [
                        {"pool_id": pool_id, "sub": sub, "name": n, "value": v, "value_prefix": v[:VALUE_PREFIX_CHARS]}
                        for n, v in values.items()
                    ]
                    alias_rows.append({"pool_id": pool_id, "sub": sub, "alias": f"email:{email(i)}"})
                conn.execute(users.insert(), user_rows)
                conn.execute(user_attributes.insert(), attribute_rows)
                conn.execute(user_aliases.insert(), alias_rows)
        if engine.dialect.name == "postgresql":
            # As autovacuum would after a bulk load: the planner must know the pool is big.
            with engine.begin() as conn:
                for table in ("users", "user_attributes", "user_aliases"):
                    conn.exec_driver_sql(f"ANALYZE {table}")
    finally:
        engine.dispose()


def bulk_load_from(source: Path, database_url: str, pool_id: str, count: int) -> None:
    """:func:`bulk_load` in a child process that imports ``userpool`` from ``source`` (a ``src/`` directory):
    another revision's server, whose tables are its own revision's."""
    root = Path(__file__).resolve().parent.parent  # where ``bench`` itself is imported from
    env = with_source({**os.environ, "PYTHONPATH": str(root)}, source)
    script = "import sys; from bench.population import bulk_load; bulk_load(sys.argv[1], sys.argv[2], int(sys.argv[3]))"
    subprocess.run([sys.executable, "-c", script, database_url, pool_id, str(count)], env=env, cwd=source, check=True)


async def load_through_api(clients: list[CognitoClient], pool_id: str, count: int) -> None:
    """Create ``count`` users with AdminCreateUser, no message sent, over all ``clients`` at once."""

    async def worker(client: CognitoClient, first: int) -> None:
        for i in range(first, count, len(clients)):
            await client.call(
                "AdminCreateUser",
                {
                    "UserPoolId": pool_id,
                    "Username": username(i),
                    "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": n, "Value": v} for n, v in attributes(i).items()],
                },
                signed=True,
            )

    await asyncio.gather(*(worker(c, n) for n, c in enumerate(clients)))


@dataclass(frozen=True)
class Plan:
    query: str
    statement: str
    lines: list[str]
    problems: list[str]


def plans(server: Server, pool_id: str, count: int) -> list[Plan]:
    """The plan of each statement reading the user tables, for each query of :data:`PLAN_QUERIES`."""
    with warnings.catch_warnings():
        # Starlette's test client asks for httpx2; the httpx installed works (as in the tests).
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from starlette.testclient import TestClient
    from tests.support.plans import captured_sql, explain, plan_problems

    from userpool.app import build_runtime, create_app
    from userpool.config import Settings

    assert server.database_url is not None and server.data_dir is not None
    settings = Settings(
        data_dir=Path(server.data_dir),
        database_url=server.database_url,
        region=REGION,
        admin_access_key_id=ACCESS_KEY,
        admin_secret_access_key=SECRET_KEY,
        secret_keys=(SERVER_SECRET,),
        log_level="warning",
    )
    runtime = build_runtime(settings, run_migrations=False)
    signer = Signer(ACCESS_KEY, SECRET_KEY, REGION)
    found: list[Plan] = []
    try:
        client = TestClient(create_app(settings, runtime=runtime))
        engine = runtime.store.engine
        for title, query in PLAN_QUERIES.items():
            body = orjson.dumps({"UserPoolId": pool_id, **query(count // 2)})
            target = TARGET_PREFIX + "ListUsers"
            headers = dict(signer.headers("testserver", CONTENT_TYPE, target, body))
            headers.update({"Content-Type": CONTENT_TYPE, "X-Amz-Target": target})
            with captured_sql(engine) as statements:
                response = client.post("/", content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"ListUsers in process answered {response.status_code}: {response.text[:200]}")
            for statement in (s for s in statements if s.reads_users):
                lines = explain(engine, statement)
                text = " ".join(statement.sql.split())
                found.append(Plan(title, text, lines, plan_problems(engine.dialect.name, lines, statement)))
    finally:
        runtime.store.dispose()
    return found
