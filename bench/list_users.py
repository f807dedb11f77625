"""ListUsers on a 1,000- and a 100,000-user pool, on SQLite and PostgreSQL and on moto side by side: the plan of
every statement our server runs and the latency end to end (boto3 -> HTTP on 127.0.0.1 -> server -> storage),
each userpool p50 also as a ratio to moto's p50 at the same pool size (or the nearest one moto ran).

The latency must be flat from 1k to 100k users (design §8: p50 <= 5 ms). Our server's users are bulk-loaded
straight into its tables; the PostgreSQL run uses a scratch database that is dropped afterwards. moto has no
database to load, so its users go through AdminCreateUser, the same usernames and attributes (moto makes its
own sub; every user FORCE_CHANGE_PASSWORD and enabled, where the SQL load mixes statuses and disables one in
20, which ListUsers' filters here do not look at). That costs a few milliseconds a user, client and moto
sharing one GIL (client threads do not help): 100,000 users would take several minutes, so moto runs at
``--moto-sizes``, by default 1,000 and 10,000.
"""

from __future__ import annotations

import argparse
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from tests.support.plans import analyze, captured_sql, explain, plan_problems

from bench.targets import TARGETS, Target, Timing, machine, ratio_text, target, timed
from userpool.store.sql.engine import WRITE_OPTION
from userpool.store.sql.tables import VALUE_PREFIX_CHARS, user_aliases, user_attributes, users

BATCH = 5_000
STATUSES = ("CONFIRMED", "CONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "UNCONFIRMED")


def _username(i: int) -> str:
    return f"user{i:06d}"


def _email(i: int) -> str:
    return f"{_username(i)}@example.com"


def _attributes(i: int) -> dict[str, str]:
    """The attributes of user ``i`` besides ``sub``."""
    return {
        "email": _email(i),
        "email_verified": "true",
        "phone_number": f"+1555{i:07d}",
        "name": f"Given{i % 997} Family{i % 991}",
        "given_name": f"Given{i % 997}",
        "family_name": f"Family{i % 991}",
        "preferred_username": f"nick{i:06d}",
    }


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
                attributes = {"sub": sub, **_attributes(i)}
                attribute_rows += [
                    {"pool_id": pool_id, "sub": sub, "name": n, "value": v, "value_prefix": v[:VALUE_PREFIX_CHARS]}
                    for n, v in attributes.items()
                ]
                alias_rows.append({"pool_id": pool_id, "sub": sub, "alias": f"email:{_email(i)}"})
            conn.execute(users.insert(), user_rows)
            conn.execute(user_attributes.insert(), attribute_rows)
            conn.execute(user_aliases.insert(), alias_rows)


def load_through_api(idp: Any, pool_id: str, count: int) -> None:
    """Create ``count`` users one AdminCreateUser at a time, no message sent."""
    for i in range(count):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=_username(i),
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": n, "Value": v} for n, v in _attributes(i).items()],
        )


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


def measure(idp: Any, pool_id: str, scenario: Scenario, count: int, calls: int) -> Timing:
    """``calls`` ListUsers requests, each for a random user of the pool, after 20 untimed ones."""
    rng = random.Random(7)
    picks = [rng.randrange(10, count - 10) for _ in range(calls + 20)]

    def call(i: int) -> None:
        request = scenario.request(picks[i])
        response = idp.list_users(UserPoolId=pool_id, **request)
        assert response["Users"], request

    return timed(call, calls, warmup=20)


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    request: str
    timing: Timing


def run(t: Target, count: int, calls: int) -> list[Row]:
    idp = t.client
    pool_id = idp.create_user_pool(PoolName=f"bench-{count}", AliasAttributes=["email"])["UserPool"]["Id"]
    started = time.perf_counter()
    if t.engine is None:
        load_through_api(idp, pool_id, count)
        took = time.perf_counter() - started
        print(
            f"\n[{t.label}, {count:,} users] loaded through AdminCreateUser in {took:.1f} s "
            f"({count / took:,.0f} users/s; 100,000 users would take ~{100_000 * took / count / 60:.1f} min)"
        )
    else:
        load(t.engine, pool_id, count)
        analyze(t.engine)
        print(f"\n[{t.label}, {count:,} users] loaded in {time.perf_counter() - started:.1f} s")
        bad = print_plans(t.engine, idp, pool_id, count)
        # PostgreSQL rightly reads a table of a few pages sequentially: judge plans at 100k users.
        print(f"  statements read without an index or through the whole pool: {bad}")
    return [Row(t.label, count, s.title, measure(idp, pool_id, s, count, calls)) for s in scenarios(count)]


def _nearest(count: int, sizes: list[int]) -> int | None:
    return min(sizes, key=lambda size: abs(math.log(size / count)), default=None)


def print_table(rows: list[Row], calls: int) -> None:
    moto = {(r.count, r.request): r.timing for r in rows if r.label == "moto"}
    moto_sizes = sorted({r.count for r in rows if r.label == "moto"})
    print(f"\nListUsers through boto3 over HTTP on 127.0.0.1, {calls} calls each, one client thread")
    print(f"({machine()})")
    print(
        f"{'target':<19} {'users':>7}  {'request':<26} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>6} "
        f"{'srv CPU ms':>10} {'req/CPU-s':>9}  p50 / moto p50"
    )
    footnotes: set[int] = set()
    for r in rows:
        versus = ""
        size = _nearest(r.count, moto_sizes)
        if r.label != "moto" and size is not None:
            versus = ratio_text(r.timing.p50_ms, moto[(size, r.request)].p50_ms)
            if size != r.count:
                versus += f" [moto at {size:,}]"
                footnotes.add(size)
        line = (
            f"{r.label:<19} {r.count:>7,}  {r.request:<26} {r.timing.p50_ms:>7.2f} {r.timing.p95_ms:>7.2f} "
            f"{r.timing.per_second:>6.0f} {r.timing.server_cpu_ms:>10.2f} {r.timing.per_cpu_second:>9.0f}  {versus}"
        )
        print(line.rstrip())
    for size in sorted(footnotes):
        print(f"[moto at {size:,}]: the nearest size moto ran (it is loaded through AdminCreateUser: --moto-sizes)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench list_users", description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default=",".join(TARGETS), help=f"comma-separated: {', '.join(TARGETS)}")
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated pool sizes of our server")
    parser.add_argument(
        "--moto-sizes",
        default="1000,10000",
        help="comma-separated pool sizes of moto, loaded through AdminCreateUser (100,000 takes several minutes)",
    )
    parser.add_argument("--calls", type=int, default=300, help="timed calls per request and size")
    args = parser.parse_args(argv)
    unknown = set(args.backends.split(",")) - set(TARGETS)
    if unknown:
        parser.error(f"unknown backends {', '.join(sorted(unknown))}: choose from {', '.join(TARGETS)}")
    random.seed(1)
    rows: list[Row] = []
    for backend in args.backends.split(","):
        sizes = args.moto_sizes if backend == "moto" else args.sizes
        for count in (int(s) for s in sizes.split(",")):
            # A fresh server and store for each size.
            with target(backend) as t:
                rows += run(t, count, args.calls)
    # moto's rows last: the others read against them.
    print_table(sorted(rows, key=lambda r: r.label == "moto"), args.calls)
    return 0
