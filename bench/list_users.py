"""ListUsers on a 1,000- and a 100,000-user pool, on SQLite and PostgreSQL: the plan of every statement it
runs and its latency end to end (boto3 -> HTTP on 127.0.0.1 -> server -> database).

The latency must be flat from 1k to 100k users (design §8: p50 <= 5 ms). Users are bulk-loaded straight into
the server's tables; the PostgreSQL run uses a scratch database that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.support.bridge import serve_in_thread, socket_client
from tests.support.plans import analyze, captured_sql, explain, plan_problems
from tests.support.postgres import scratch_database

from userpool.app import build_runtime, create_app
from userpool.config import Argon2Params, Settings
from userpool.store.sql.engine import WRITE_OPTION
from userpool.store.sql.tables import VALUE_PREFIX_CHARS, user_aliases, user_attributes, users

ACCESS_KEY = "AKIDUSERPOOLBENCH001"
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklm"  # noqa: S105 - a key of the throwaway bench server
REGION = "eu-west-1"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 5_000
STATUSES = ("CONFIRMED", "CONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED")


def _username(i: int) -> str:
    return f"user{i:06d}"


def _email(i: int) -> str:
    return f"{_username(i)}@example.com"


def load(engine: sa.Engine, pool_id: str, count: int) -> None:
    """Insert ``count`` users as AdminCreateUser stores them (sub also an attribute, verified email alias)."""
    now = time.time()
    for start in range(0, count, BATCH):
        # One short transaction per batch: the server's own writers must not wait behind the whole load.
        with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            user_rows: list[dict[str, Any]] = []
            attribute_rows: list[dict[str, Any]] = []
            alias_rows: list[dict[str, Any]] = []
            for i in range(start, min(count, start + BATCH)):
                sub = str(uuid.UUID(int=random.getrandbits(128), version=4))
                user_rows.append(
                    {
                        "pool_id": pool_id,
                        "sub": sub,
                        "username": _username(i),
                        "username_norm": _username(i),
                        "status": STATUSES[i % len(STATUSES)],
                        "enabled": i % 20 != 0,
                        "password_hash": None,
                        "password_expires_at": None,
                        "mfa": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                attributes = {
                    "sub": sub,
                    "email": _email(i),
                    "email_verified": "true",
                    "phone_number": f"+1555{i:07d}",
                    "name": f"Given{i % 997} Family{i % 991}",
                    "given_name": f"Given{i % 997}",
                    "family_name": f"Family{i % 991}",
                    "preferred_username": f"nick{i:06d}",
                }
                attribute_rows += [
                    {"pool_id": pool_id, "sub": sub, "name": n, "value": v, "value_prefix": v[:VALUE_PREFIX_CHARS]}
                    for n, v in attributes.items()
                ]
                alias_rows.append({"pool_id": pool_id, "sub": sub, "alias": f"email:{_email(i)}"})
            conn.execute(users.insert(), user_rows)
            conn.execute(user_attributes.insert(), attribute_rows)
            conn.execute(user_aliases.insert(), alias_rows)


@dataclass(frozen=True)
class Scenario:
    title: str
    request: Callable[[int], dict[str, Any]]


def scenarios(count: int) -> list[Scenario]:
    def exact(i: int) -> dict[str, Any]:
        return {"Filter": f'email = "{_email(i)}"'}

    def prefix(i: int) -> dict[str, Any]:
        # Ten users: user012340 ... user012349.
        return {"Filter": f'email ^= "{_username(i)[:-1]}"'}

    def unfiltered(_i: int) -> dict[str, Any]:
        return {"Limit": 60}

    return [
        Scenario('email = "..." (1 user)', exact),
        Scenario('email ^= "..." (10 users)', prefix),
        Scenario("no filter (page of 60)", unfiltered),
    ]


def _settings(data_dir: Path, url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=url,
        region=REGION,
        account_id="123456789012",
        admin_access_key_id=ACCESS_KEY,
        admin_secret_access_key=SECRET_KEY,
        secret_keys=("bench-server-secret",),
        argon2=Argon2Params.fast(),
        log_level="warning",
    )


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    with scratch_database(os.environ.get("USERPOOL_BENCH_DATABASE_URL", DEFAULT_POSTGRES)) as url:
        yield url


def print_plans(engine: sa.Engine, idp: Any, pool_id: str, count: int) -> int:
    """Print the plan of each statement the scenarios run against the user tables; the number of bad plans."""
    bad_plans = 0
    for scenario in scenarios(count):
        with captured_sql(engine) as statements:
            idp.list_users(UserPoolId=pool_id, **scenario.request(count // 2))
        print(f"  plan of {scenario.title}:")
        for statement in (s for s in statements if s.reads_users):
            plan = explain(engine, statement)
            problems = plan_problems(engine.dialect.name, plan, statement)
            bad_plans += bool(problems)
            print(f"    {' '.join(statement.sql.split())[:150]}{' ...' if len(statement.sql) > 150 else ''}")
            for line in plan:
                print(f"      {line.rstrip()[:160]}")
            if problems:
                print(f"      !! cost grows with the pool: {problems}")
    return bad_plans


def measure(idp: Any, pool_id: str, scenario: Scenario, count: int, calls: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``calls`` ListUsers requests, each for a random user of the pool."""
    rng = random.Random(7)
    targets = [rng.randrange(10, count - 10) for _ in range(calls + 20)]
    for i in targets[:20]:
        idp.list_users(UserPoolId=pool_id, **scenario.request(i))
    samples = []
    for i in targets[20:]:
        request = scenario.request(i)
        started = time.perf_counter()
        response = idp.list_users(UserPoolId=pool_id, **request)
        samples.append((time.perf_counter() - started) * 1000)
        assert response["Users"], request
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94]


def run(backend: str, count: int, calls: int) -> list[tuple[str, int, str, float, float]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="userpool-bench-") as folder, database(backend, Path(folder)) as url:
        settings = _settings(Path(folder) / "data", url)
        runtime = build_runtime(settings)
        try:
            with serve_in_thread(create_app(settings, runtime=runtime)) as base_url:
                idp = socket_client(base_url, ACCESS_KEY, SECRET_KEY, REGION)
                pool_id = idp.create_user_pool(PoolName="bench", AliasAttributes=["email"])["UserPool"]["Id"]
                started = time.perf_counter()
                load(runtime.store.engine, pool_id, count)
                analyze(runtime.store.engine)
                print(f"\n[{backend}, {count:,} users] loaded in {time.perf_counter() - started:.1f} s")
                bad = print_plans(runtime.store.engine, idp, pool_id, count)
                # PostgreSQL rightly reads a table of a few pages sequentially: judge plans at 100k users.
                print(f"  statements read without an index or through the whole pool: {bad}")
                for scenario in scenarios(count):
                    p50, p95 = measure(idp, pool_id, scenario, count, calls)
                    rows.append((backend, count, scenario.title, p50, p95))
        finally:
            runtime.store.dispose()
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench list_users", description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated pool sizes")
    parser.add_argument("--calls", type=int, default=300, help="timed calls per scenario")
    args = parser.parse_args(argv)
    random.seed(1)
    rows = []
    for backend in args.backends.split(","):
        for count in (int(s) for s in args.sizes.split(",")):
            rows += run(backend, count, args.calls)
    print(f"\nListUsers latency through boto3 over HTTP on 127.0.0.1, {args.calls} calls each")
    print(f"{'backend':<11} {'users':>8}  {'request':<28} {'p50 ms':>7} {'p95 ms':>7}")
    for backend, count, title, p50, p95 in rows:
        print(f"{backend:<11} {count:>8,}  {title:<28} {p50:>7.2f} {p95:>7.2f}")
    return 0
