"""``python -m bench memory``: the resident memory (RSS) of each worker of our server, idle, and as users,
sign-ins and tokens accumulate (the target: idle worker ≤ 150 MiB, not growing; docs/architecture.md,
Hot-path rules).

One server (``--workers N``) is started as ``bench run`` starts it. RSS is read from ``/proc/<pid>/status``
of every worker process (the supervisor, which serves nothing, is reported apart) at each checkpoint:

1. idle, after start-up and one request per worker;
2. after ``--pool-users`` users are bulk-loaded into a pool (as ``bench run``'s ListUsers pools) and read
   through ListUsers and AdminGetUser;
3. after each of ``--checkpoints`` USER_PASSWORD_AUTH sign-ins in total, every one issuing an ID, access and
   refresh token and storing a sign-in session (``--concurrency`` connections, over ``--users`` users).

``--argon2 fast`` makes the sign-ins cheap enough to reach 100k here (with OWASP parameters a sign-in costs
~25 ms of CPU), but leaves out argon2id's own memory: at the OWASP cost each hash mallocs a 19 MiB block,
and glibc may keep it in the arena of the thread that hashed after it is freed (its mmap threshold rises
to the size of a freed mapped block). A few thousand sign-ins with ``--argon2 owasp --pool-users 0`` show
how much of that a worker holds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shlex
import time
from pathlib import Path

from bench.api import CognitoClient
from bench.population import bulk_load, exact_filter, username
from bench.report import machine, write_section
from bench.runner import DEFAULT_OUTPUT, _cpus, _csv
from bench.scenarios import Bench
from bench.servers import TARGETS, USERPOOL_SQLITE, Server, start
from userpool.config import Argon2Params

MIB = 1024 * 1024


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__.split("\n")[0])
    p.add_argument("--target", choices=[t for t in TARGETS if t != "moto"], default=USERPOOL_SQLITE)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--server-cpus", default="0-1", help="CPUs the server is pinned to")
    p.add_argument("--argon2", choices=("owasp", "fast"), default="fast")
    p.add_argument("--pool-users", type=int, default=100_000, help="users bulk-loaded into a second pool")
    p.add_argument("--checkpoints", default="10000,100000", help="total sign-ins at which RSS is read")
    p.add_argument("--users", type=int, default=64, help="users signing in (round robin)")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'memory' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


class Readings:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.rows: list[tuple[str, list[int], int]] = []

    def take(self, label: str) -> None:
        workers = [rss_bytes(pid) for pid in self.server.worker_pids()]
        supervisor = rss_bytes(self.server.pid) if self.server.worker_pids() != [self.server.pid] else 0
        self.rows.append((label, workers, supervisor))
        per = ", ".join(f"{w / MIB:.1f}" for w in workers)
        print(f"[memory] {label}: workers {per} MiB; supervisor {supervisor / MIB:.1f} MiB", flush=True)


async def _sign_ins(bench: Bench, total: int, done: list[int]) -> None:
    """Sign-ins until ``done[0]`` reaches ``total`` (each a USER_PASSWORD_AUTH issuing three tokens)."""
    users = itertools.cycle(bench.users)

    async def worker(client: CognitoClient) -> None:
        while done[0] < total:
            done[0] += 1
            await bench._password_login(client, next(users))

    clients = [bench.client() for _ in range(bench.concurrency)]
    try:
        await asyncio.gather(*(worker(c) for c in clients))
    finally:
        bench.close_clients()


async def measure(args: argparse.Namespace) -> Readings:
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    with start(args.target, _cpus(args.server_cpus), argon2=argon2, workers=args.workers) as server:
        readings = Readings(server)
        bench = Bench(server, args.concurrency, 1, 0)
        deadline = time.monotonic() + 60
        while len(server.worker_pids()) < args.workers and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        # One request per connection so that every worker has served (and imported what serving needs).
        for client in [bench.client() for _ in range(4 * args.workers)]:
            await client.call("ListUserPools", {"MaxResults": 1}, signed=True)
        bench.close_clients()
        readings.take("idle")

        await bench.setup(args.users)
        if args.pool_users:
            pool = await bench.admin("CreateUserPool", {"PoolName": "memory", "AliasAttributes": ["email"]})
            pool_id = pool["UserPool"]["Id"]
            assert server.database_url is not None
            bulk_load(server.database_url, pool_id, args.pool_users)
            client = bench.client()
            for i in range(0, args.pool_users, max(1, args.pool_users // 200)):
                await client.call("ListUsers", {"UserPoolId": pool_id, **exact_filter(i)}, signed=True)
                await client.call("AdminGetUser", {"UserPoolId": pool_id, "Username": username(i)}, signed=True)
            await client.call("ListUsers", {"UserPoolId": pool_id, "Limit": 60}, signed=True)
            bench.close_clients()
            readings.take(f"{args.pool_users:,} users loaded and read")

        done = [len(bench.users)]
        for checkpoint in sorted(int(c) for c in _csv(args.checkpoints)):
            started = time.monotonic()
            await _sign_ins(bench, checkpoint, done)
            print(f"[memory] {checkpoint:,} sign-ins ({time.monotonic() - started:.0f} s)", flush=True)
            readings.take(f"after {checkpoint:,} sign-ins")
    return readings


IDLE_LIMIT_MIB = 150
GROWTH_LIMIT = 0.20
"""The targets: an idle worker within 150 MiB; RSS after the last checkpoint within 20% of the first."""


def growth(first: list[int], last: list[int]) -> float:
    """The largest per-worker relative growth of RSS from ``first`` to ``last`` (workers in the same order)."""
    return max((b / a for a, b in zip(first, last, strict=False) if a), default=1.0) - 1


def verdicts(rows: list[tuple[str, list[int], int]]) -> list[str]:
    """The two figures, each against its limit."""
    found = []
    idle = next((workers for label, workers, _ in rows if label == "idle"), None)
    if idle:
        top = max(idle) / MIB
        ok = "ok" if top <= IDLE_LIMIT_MIB else "MISS"
        found.append(f"Idle RSS per worker: at most {top:.1f} MiB ({ok}: <= {IDLE_LIMIT_MIB} MiB).")
    signed = [(label, workers) for label, workers, _ in rows if label.startswith("after ")]
    if len(signed) >= 2:
        (first_label, first), (last_label, last) = signed[0], signed[-1]
        change = growth(first, last)
        ok = "ok" if change <= GROWTH_LIMIT else "MISS"
        found.append(
            f"Largest per-worker growth from {first_label[6:]} to {last_label[6:]}: {change:+.1%} "
            f"({ok}: <= {GROWTH_LIMIT:.0%})."
        )
    return found


def markdown(args: argparse.Namespace, argv: list[str], readings: Readings) -> str:
    """The ``memory`` section of docs/benchmarks.md."""
    lines = [
        "## Memory",
        "",
        f"`{shlex.join(['python', '-m', 'bench', 'memory', *argv])}` — {args.target}, {args.workers} workers "
        f"pinned to CPU {args.server_cpus}, argon2id {args.argon2}, {time.strftime('%Y-%m-%d')}; {machine()}.",
        "",
        "RSS (VmRSS) of each worker process in MiB: idle (after one request per worker), after "
        f"{args.pool_users:,} users are bulk-loaded into a second pool and read through ListUsers and AdminGetUser, "
        "then after each number of USER_PASSWORD_AUTH sign-ins in total (each issues three tokens and stores a "
        f"session; {args.users} users round robin over {args.concurrency} connections). The supervisor process "
        "serves nothing and is listed apart.",
        "",
        "| checkpoint | " + " | ".join(f"worker {n + 1}" for n in range(args.workers)) + " | supervisor |",
        "|---|" + "---:|" * (args.workers + 1),
    ]
    for label, workers, supervisor in readings.rows:
        cells = [f"{w / MIB:.1f}" for w in workers] + [""] * (args.workers - len(workers))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {supervisor / MIB:.1f} |")
    lines += ["", *(f"- {line}" for line in verdicts(readings.rows))]
    if args.argon2 == "fast":
        lines.append(
            "- argon2id at the fast cost (64 KiB per hash): the 19 MiB blocks of the OWASP cost, which a worker's "
            "hashing threads may keep, are not in these figures (`--argon2 owasp` with fewer sign-ins shows them)."
        )
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> Readings:
    args = parser().parse_args(argv)
    readings = asyncio.run(measure(args))
    text = markdown(args, argv, readings)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "memory", text)
        print(f"written to {args.output} (section 'memory')")
    return readings
