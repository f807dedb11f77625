"""``python -m bench run``: the scenarios against each target, a table, and docs/benchmarks.md.

Every target runs as its own process pinned to ``--server-cpus``; this process, the load generator, runs on
the other CPUs. See bench/report.py (METHOD) for what each column means.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
from pathlib import Path

from bench import bounds, scenarios, signing
from bench.load import EXPECTED_ERRORS, drive
from bench.profiling import Profiler
from bench.report import Row, Run, markdown, print_table, write_section
from bench.scenarios import Bench, Skip
from bench.servers import MOTO, TARGETS, start
from userpool.config import Argon2Params

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
DEFAULT_PROFILES = Path(__file__).resolve().parent / "profiles"
# Scenarios that hash or verify passwords, whose bounds are timed alongside.
_BOUNDED = {"signup", "password_login", "srp_login"}


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _cpus(text: str) -> set[int]:
    found: set[int] = set()
    for part in _csv(text):
        low, _, high = part.partition("-")
        found.update(range(int(low), int(high or low) + 1))
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench run", description=__doc__.split("\n")[0])
    p.add_argument("--scenarios", default=",".join(scenarios.SCENARIOS), help="comma-separated, default all")
    p.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated: {', '.join(TARGETS)}")
    p.add_argument("--requests", type=int, default=None, help="measured requests per scenario at most")
    p.add_argument("--seconds", type=float, default=5.0, help="measured seconds per scenario at most")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each window")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent connections (closed loop)")
    p.add_argument("--list-concurrency", type=int, default=1, help="concurrency of list_users (a latency target)")
    p.add_argument("--list-sizes", default="1000,10000,100000", help="ListUsers pool sizes")
    p.add_argument("--moto-list-max", type=int, default=10_000, help="largest pool moto gets (AdminCreateUser)")
    p.add_argument("--users", type=int, default=None, help="signed-in users per target (default 2 x concurrency)")
    p.add_argument("--server-cpus", default="0", help="CPUs the servers are pinned to, e.g. 0 or 0-1")
    p.add_argument("--workers", type=int, default=1, help="USERPOOL_WORKERS for our server (once serve has it)")
    p.add_argument("--argon2", choices=("owasp", "fast"), default="owasp", help="our server's argon2id cost")
    p.add_argument("--profile", action="store_true", help="record each scenario on our server with py-spy")
    p.add_argument("--profile-dir", type=Path, default=DEFAULT_PROFILES)
    p.add_argument("--profile-rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument(
        "--profile-threads",
        choices=("gil", "active"),
        default="gil",
        help="sample the GIL holder only (Python-level CPU), or every active thread",
    )
    p.add_argument(
        "--output",
        default=None,
        help="Markdown page whose 'run' section is rewritten, '-' for none (default docs/benchmarks.md; none "
        "with --profile)",
    )
    return p


async def _run_target(name: str, args: argparse.Namespace, run: Run, server_cpus: set[int]) -> None:
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    cases = scenarios.cases(_csv(args.scenarios), [int(s) for s in _csv(args.list_sizes)])
    print(f"[{name}] starting on CPU {args.server_cpus}", flush=True)
    with start(name, server_cpus, argon2=argon2, workers=args.workers) as server:
        bench = Bench(server, args.concurrency, args.list_concurrency, args.moto_list_max)
        try:
            await bench.setup(args.users or 2 * args.concurrency)
        except EXPECTED_ERRORS as error:
            # Reported in the table, so the other targets still run.
            run.rows += [Row(case, name, note=f"set-up failed: {error}"[:160]) for case in cases]
            print(f"[{name}] set-up failed: {error}\n{server.log_tail()}", flush=True)
            return
        for case in cases:
            concurrency = args.list_concurrency if case.startswith("list_users[") else args.concurrency
            try:
                workers, note = await bench.workers(case)
            except (Skip, *EXPECTED_ERRORS) as error:
                label = "skipped" if isinstance(error, Skip) else "set-up failed"
                run.rows.append(Row(case, name, note=f"{label}: {error}"[:160]))
                print(f"[{name}] {case}: {label}: {error}", flush=True)
                bench.close_clients()
                continue
            profiler = None
            if args.profile and not server.is_moto:
                output = args.profile_dir / f"{name}-{case}.txt"
                profiler = Profiler(server.pid, output, args.profile_rate, gil=args.profile_threads == "gil")
            try:
                measurement = await drive(
                    workers, server, seconds=args.seconds, requests=args.requests, warmup=args.warmup
                )
            finally:
                bench.close_clients()
                if profiler is not None:
                    run.profiles[f"{name} {case}"] = summary = profiler.stop()
                    print("\n".join(summary), flush=True)
            run.rows.append(Row(case, name, measurement, note, concurrency))
            print(
                f"[{name}] {case}: {measurement.requests} ok, {measurement.errors} errors, "
                f"{measurement.per_second:,.1f}/s, p50 {measurement.percentile(50):.2f} ms, "
                f"CPU {measurement.server_cpu_ms:.3f} ms/req",
                flush=True,
            )
        for size, pool in bench.list_pools.items():
            if pool.plans:
                run.plans.setdefault(name, {})[size] = pool.plans


def run(argv: list[str]) -> Run:
    """Parse ``argv`` (the options of ``run``), run everything, print the table; the Markdown is written
    unless ``--output -`` (or ``--profile`` without ``--output``)."""
    args = parser().parse_args(argv)
    names = _csv(args.targets)
    unknown = set(names) - set(TARGETS) or set(_csv(args.scenarios)) - set(scenarios.SCENARIOS)
    if unknown:
        parser().error(f"unknown targets or scenarios: {', '.join(sorted(unknown))}")
    if args.concurrency < 1 or args.list_concurrency < 1 or args.seconds <= 0 or (args.requests or 1) < 1:
        parser().error("--concurrency and --requests must be at least 1, --seconds above 0")
    server_cpus = _cpus(args.server_cpus)
    available = os.sched_getaffinity(0)
    client_cpus = (available - server_cpus) or available
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    run = Run(
        command=shlex.join(["python", "-m", "bench", "run", *argv]),
        rows=[],
        bounds=[],
        plans={},
        server_cpus=args.server_cpus,
        client_cpus=",".join(str(c) for c in sorted(client_cpus)),
        seconds=args.seconds,
        requests=args.requests,
        warmup=args.warmup,
        argon2=f"m={argon2.memory_kib} KiB, t={argon2.time_cost}, p={argon2.parallelism}",
    )
    os.sched_setaffinity(0, client_cpus)  # the load generator stays off the servers' core
    before = signing.signature_us(server_cpus)
    try:
        if _BOUNDED & set(_csv(args.scenarios)):
            run.bounds = bounds.measure(argon2)
        for name in names:
            asyncio.run(_run_target(name, args, run, server_cpus))
    finally:
        os.sched_setaffinity(0, available)
    run.signature_us = (before, signing.signature_us(server_cpus))
    run.load_after = os.getloadavg()
    # moto's rows beside ours: the table reads scenario by scenario.
    order = {case: n for n, case in enumerate(dict.fromkeys(r.case for r in run.rows))}
    run.rows.sort(key=lambda r: (order[r.case], r.target == MOTO))
    print()
    print_table(run)
    output = args.output if args.output is not None else ("-" if args.profile else str(DEFAULT_OUTPUT))
    if output != "-":
        write_section(Path(output), "run", markdown(run))
        print(f"\nwritten to {output} (section 'run')")
    return run
