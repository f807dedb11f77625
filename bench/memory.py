"""``python -m bench memory``: the resident memory (RSS) of each worker of our server, idle, and as users,
sign-ins and tokens accumulate (issue 8, "Memory"; design §8: idle worker ≤ 150 MiB, not growing).

One server (``--workers N``) is started as ``bench run`` starts it. RSS is read from ``/proc/<pid>/status``
of every worker process (the supervisor, which serves nothing, is reported apart) at each checkpoint:

1. idle, after start-up and one request per worker;
2. after ``--pool-users`` users are bulk-loaded into a pool (as ``bench run``'s ListUsers pools) and read
   through ListUsers and AdminGetUser;
3. after each of ``--checkpoints`` USER_PASSWORD_AUTH sign-ins in total, every one issuing an ID, access and
   refresh token and storing a sign-in session (``--concurrency`` connections, over ``--users`` users).

``--argon2 fast`` makes the sign-ins cheap enough to reach 100k here (with OWASP parameters a sign-in costs
~20 ms of CPU); argon2id's 19 MiB working memory is per hash and freed after it, which the OWASP run of a
smaller count shows.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shlex
import time
from pathlib import Path

from bench.api import CognitoClient
from bench.population import bulk_load, exact_filter, username
from bench.runner import _cpus, _csv
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


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(entry))
    return sorted(found)


def worker_pids(server: Server) -> list[int]:
    """The processes that serve requests: the spawned workers, or the server itself with one worker."""
    return _children(server.pid) or [server.pid]


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
    p.add_argument("--output", default="-", help="append the Markdown section to this file ('-': print only)")
    return p


class Readings:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.rows: list[tuple[str, list[int], int]] = []

    def take(self, label: str) -> None:
        workers = [rss_bytes(pid) for pid in worker_pids(self.server)]
        supervisor = rss_bytes(self.server.pid) if worker_pids(self.server) != [self.server.pid] else 0
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
        while len(worker_pids(server)) < args.workers and time.monotonic() < deadline:
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


def markdown(args: argparse.Namespace, argv: list[str], readings: Readings) -> str:
    lines = [
        "",
        "## Memory (RSS per worker)",
        "",
        f"`{shlex.join(['python', '-m', 'bench', 'memory', *argv])}` — {args.target}, {args.workers} workers, "
        f"argon2id {args.argon2}, {time.strftime('%Y-%m-%d')}. RSS (VmRSS) of each worker process in MiB; "
        "the supervisor process serves nothing and is listed apart.",
        "",
        "| checkpoint | " + " | ".join(f"worker {n + 1}" for n in range(args.workers)) + " | supervisor |",
        "|---|" + "---:|" * (args.workers + 1),
    ]
    for label, workers, supervisor in readings.rows:
        cells = [f"{w / MIB:.1f}" for w in workers] + [""] * (args.workers - len(workers))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {supervisor / MIB:.1f} |")
    signed = [r for r in readings.rows if r[0].startswith("after ")]
    if len(signed) >= 2:
        first, last = signed[0], signed[-1]
        growth = max(b / a for a, b in zip(first[1], last[1], strict=False)) - 1
        lines += ["", f"Largest per-worker growth from {first[0][6:]} to {last[0][6:]}: {growth:+.1%}."]
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> Readings:
    args = parser().parse_args(argv)
    readings = asyncio.run(measure(args))
    text = markdown(args, argv, readings)
    print(text)
    if args.output != "-":
        with Path(args.output).open("a") as f:
            f.write(text)
    return readings
