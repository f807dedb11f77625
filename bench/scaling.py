"""``python -m bench scaling``: requests/s of the CPU-bound scenarios with 1 worker and with N workers.

The target: 2 workers give at least 1.7x the throughput of 1.

Our server runs each scenario under the same load (``--concurrency`` connections) twice: with 1 worker
pinned to the first CPU of ``--cpus``, and with one worker per CPU of ``--cpus``, pinned to all of them.
Where the load generator runs is ``--generator``:

- ``with-server``: on the server's CPUs in both runs (1 CPU, then N). The generator's CPU per request is
  taken from the server's cores alike in both, so the ratio is what N cores give over 1 for a server and
  its load together: the fair comparison on a machine with no core to spare for the generator.
- ``apart``: 1 worker with the generator on the other CPUs (as ``bench run``), N workers with it on theirs.
  When ``--cpus`` is every CPU of the machine, whatever the generator uses (gen busy) the N workers cannot,
  and only the 1-worker run had it for free: a scenario whose generator is busy (SRP's client arithmetic)
  cannot reach 2x however well the workers scale, which the report says per scenario.

``--rounds R`` runs each configuration R times, alternating which goes first, so that a background load that
comes and goes weighs on both; the rounds' windows are pooled (requests and CPU summed over their seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.load import Measurement, pooled
from bench.report import Row, Run, machine, number, write_section
from bench.runner import DEFAULT_OUTPUT, _cpus, _csv, _run_target
from bench.runner import parser as run_parser
from bench.scenarios import SCENARIOS
from bench.servers import USERPOOL_POSTGRESQL, USERPOOL_SQLITE
from userpool.config import Argon2Params

CPU_BOUND = ("password_login", "srp_login", "refresh", "get_user", "client_credentials")
WITH_SERVER, APART = "with-server", "apart"
PLACEMENTS = (WITH_SERVER, APART)
TARGETS = (USERPOOL_SQLITE, USERPOOL_POSTGRESQL)
GOAL = 1.7


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench scaling", description=__doc__.split("\n")[0])
    p.add_argument("--targets", default=USERPOOL_SQLITE, help=f"comma-separated: {', '.join(TARGETS)}")
    p.add_argument("--scenarios", default=",".join(CPU_BOUND), help="comma-separated, default the CPU-bound ones")
    p.add_argument("--cpus", default="0-1", help="CPUs of the N-worker run (one worker each); 1 worker gets the first")
    p.add_argument(
        "--generator",
        default=",".join(PLACEMENTS),
        help=f"where the load generator runs, comma-separated, a table each: {', '.join(PLACEMENTS)}",
    )
    p.add_argument("--concurrency", type=int, default=16, help="connections, enough to keep every worker busy")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario and configuration")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each window")
    p.add_argument("--rounds", type=int, default=1, help="runs of each configuration, alternating the order")
    p.add_argument("--argon2", choices=("owasp", "fast"), default="owasp", help="our server's argon2id cost")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'scaling' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


@dataclass
class Pair:
    """One scenario on one target, with 1 worker and with ``workers``."""

    scenario: str
    target: str
    workers: int
    one: Measurement | None
    many: Measurement | None
    note: str = ""
    shared: bool = True
    """The load generator ran on the N workers' CPUs."""
    one_shared: bool = False
    """The load generator ran on the 1 worker's CPU."""

    @property
    def ratio(self) -> float:
        if self.one is None or self.many is None or not self.one.requests:
            return math.nan
        return self.many.per_second / self.one.per_second

    @property
    def projected(self) -> float:
        """The ratio had 1 worker had one whole core and N workers N whole cores, at the CPU per request
        measured: N x (1 worker's CPU per request / N workers'). The measured ratio falls short of it by
        the cores the machine did not give (the generator's, other work's)."""
        if self.one is None or self.many is None or not self.one.requests or not self.many.requests:
            return math.nan
        return self.workers * self.one.server_cpu_ms / self.many.server_cpu_ms

    def others(self, side: Measurement | None, shared: bool) -> float:
        """Cores of the server's CPUs used by other work over the window (the generator's use taken out
        when it ran on them); NaN if unknown."""
        if side is None or side.cpus_busy_s is None or side.seconds <= 0:
            return math.nan
        mine = side.server_cpu_s + (side.client_cpu_s if shared else 0.0)
        return max(0.0, side.cpus_busy_s - mine) / side.seconds

    @property
    def cores_left(self) -> float:
        """Cores of the N CPUs left to the workers over their window: N less the generator's use (when it ran
        on them) and other work's; NaN if unknown."""
        if self.many is None:
            return math.nan
        return self.workers - (self.many.client_busy if self.shared else 0.0) - self.others(self.many, self.shared)

    @property
    def generator_bound(self) -> bool:
        """Only the N-worker run had the generator on its CPUs, and it alone left them less than GOAL cores."""
        return (
            self.shared
            and not self.one_shared
            and self.many is not None
            and self.workers - self.many.client_busy < GOAL
        )

    def verdict(self) -> str:
        """ok or MISS; a MISS when the generator ran on the N workers' CPUs only, and the machine left them
        less than GOAL cores, says so."""
        if math.isnan(self.ratio):
            return ""
        if self.ratio >= GOAL:
            return "ok"
        if self.shared and not self.one_shared and self.cores_left < GOAL:
            return f"MISS ({self.cores_left:.2f} cores left)"
        return "MISS"


def pairs(
    rows: dict[tuple[str, str, int], list[Row]], workers: int, shared: bool, one_shared: bool = False
) -> list[Pair]:
    """The rows of every round, keyed by (target, scenario, worker count), pooled into one pair each."""
    found: list[Pair] = []
    for target, scenario in dict.fromkeys((t, s) for t, s, _ in rows):
        one, many = rows.get((target, scenario, 1), []), rows.get((target, scenario, workers), [])
        measured = [[r.measurement for r in side if r.measurement is not None] for side in (one, many)]
        notes = [r.note for r in one + many if r.measurement is None and r.note]
        found.append(
            Pair(
                scenario,
                target,
                workers,
                pooled(measured[0]) if measured[0] and len(measured[0]) == len(one) else None,
                pooled(measured[1]) if measured[1] and len(measured[1]) == len(many) else None,
                "; ".join(dict.fromkeys(notes)),
                shared,
                one_shared,
            )
        )
    return found


def _both(pair: Pair, figure: Callable[[Measurement], float], digits: int = 2) -> str:
    """A figure of the 1-worker run and of the N-worker run, as "1w → Nw"."""
    one = figure(pair.one) if pair.one is not None else math.nan
    many = figure(pair.many) if pair.many is not None else math.nan
    return f"{number(one, digits)} → {number(many, digits)}"


def cells(pair: Pair) -> list[str]:
    return [
        pair.scenario,
        pair.target,
        number(pair.one.per_second, 1) if pair.one is not None else "-",
        number(pair.many.per_second, 1) if pair.many is not None else "-",
        f"{pair.ratio:.2f}x" if not math.isnan(pair.ratio) else "-",
        _both(pair, lambda m: m.server_busy),
        _both(pair, lambda m: m.server_cpu_ms),
        _both(pair, lambda m: m.client_busy),
        f"{number(pair.others(pair.one, pair.one_shared))} → {number(pair.others(pair.many, pair.shared))}",
        f"{pair.projected:.2f}x" if not math.isnan(pair.projected) else "-",
        pair.verdict(),
    ]


def _placement_text(placement: str, cpus: list[int], spec: str, shared: bool) -> str:
    n = len(cpus)
    if placement == WITH_SERVER:
        return (
            f"### The load generator on the server's CPUs\n\n1 worker pinned to CPU {cpus[0]} with the load "
            f"generator on the same CPU; then {n} workers (`serve --workers {n}`) pinned to CPUs {spec}, the "
            "generator on the same CPUs. The generator's CPU per request is taken from the server's cores alike "
            f"in both runs, so {n}w/1w is what {n} cores give over 1 for the server and its load together."
        )
    text = (
        f"### The load generator apart\n\n1 worker pinned to CPU {cpus[0]}, the load generator on the other "
        f"CPUs; then {n} workers pinned to CPUs {spec}"
    )
    if not shared:
        return text + ", the load generator on the other CPUs."
    return text + (
        ", the load generator on the same CPUs: this machine has no other core, so whatever the generator "
        f'uses (gen busy) the {n} workers cannot, while 1 worker had it for free. A MISS with "cores left" had '
        f"less than {GOAL} of the {n} CPUs for its workers once the generator and other work had theirs: the "
        "machine, not the server, capped that ratio (SRP's client arithmetic costs the generator about a "
        "fifth of what the server spends)."
    )


def _table(found: list[Pair], n: int) -> list[str]:
    lines = [
        f"| scenario | target | 1w req/s | {n}w req/s | {n}w/1w | srv busy 1w → {n}w | CPU ms/req 1w → {n}w "
        f"| gen busy 1w → {n}w | others 1w → {n}w | projected | >= {GOAL}x |",
        "|---|---|" + "---:|" * 9,
    ]
    lines += ["| " + " | ".join(cells(pair)) + " |" for pair in found]
    extra = []
    for pair in found:
        if pair.generator_bound and pair.many is not None:
            extra.append(
                f"{pair.scenario} on {pair.target}: the generator used {pair.many.client_busy:.2f} of the "
                f"{n} cores: {n - pair.many.client_busy:.2f} left for the workers, below {GOAL}x on this machine"
            )
        if pair.note:
            extra.append(f"{pair.scenario} on {pair.target}: {pair.note}")
        for side, m in ((1, pair.one), (n, pair.many)):
            if m is not None and m.errors:
                kinds = ", ".join(f"{k} x{c}" for k, c in sorted(m.error_kinds.items()))
                extra.append(f"{pair.scenario} on {pair.target}, {side}w: {m.errors} errors ({kinds})")
    if extra:
        lines += ["", *(f"- {line}" for line in extra)]
    return lines


def markdown(command: str, args: argparse.Namespace, tables: dict[str, list[Pair]], load: tuple[float, float]) -> str:
    """The ``scaling`` section of docs/benchmarks.md: a table per placement of the generator."""
    cpus = sorted(_cpus(args.cpus))
    n = len(cpus)
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    lines = [
        "## Workers",
        "",
        f"Latest run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}.",
        "",
        "```",
        command,
        "```",
        "",
        f"- Our server with 1 worker, then with {n} (`serve --workers {n}`: each worker on a CPU and a "
        "listening socket of its own), under the same load each time: "
        f"{args.concurrency} connections (closed loop), {args.warmup:g} s warm-up, then "
        f"{args.seconds:g} s measured, {args.rounds} round(s) of each configuration alternating the order, "
        f"pooled; argon2id m={argon2.memory_kib} KiB, t={argon2.time_cost}, p={argon2.parallelism}. Load "
        f"average {load[0]:.2f} before, {load[1]:.2f} after.",
        "- **srv busy**: cores the server used (its workers summed). **gen busy**: cores the load generator "
        "used. **others**: cores of the server's CPUs that other work used (other processes, PostgreSQL, the "
        f"hypervisor's steal). **projected**: {n} x (1w CPU per request / {n}w CPU per request), the ratio "
        "with whole cores for the workers at the CPU per request measured.",
    ]
    for placement, found in tables.items():
        shared = any(p.shared for p in found)
        lines += ["", _placement_text(placement, cpus, args.cpus, shared), "", *_table(found, n)]
    return "\n".join(lines) + "\n"


def _configurations(args: argparse.Namespace) -> list[tuple[int, set[int]]]:
    cpus = sorted(_cpus(args.cpus))
    return [(1, {cpus[0]}), (len(cpus), set(cpus))]


def measure(args: argparse.Namespace, placement: str) -> dict[tuple[str, str, int], list[Row]]:
    """Every scenario on every target, each round with each configuration, the generator placed as
    ``placement`` says: rows by (target, case, workers)."""
    available = os.sched_getaffinity(0)
    rows: dict[tuple[str, str, int], list[Row]] = {}
    configurations = _configurations(args)
    for target in _csv(args.targets):
        for round_ in range(args.rounds):
            for workers, server_cpus in configurations[:: -1 if round_ % 2 else 1]:
                options = run_parser().parse_args(
                    [
                        f"--scenarios={args.scenarios}",
                        f"--concurrency={args.concurrency}",
                        f"--seconds={args.seconds}",
                        f"--warmup={args.warmup}",
                        f"--argon2={args.argon2}",
                        f"--workers={workers}",
                        f"--server-cpus={','.join(str(c) for c in sorted(server_cpus))}",
                    ]
                )
                run = Run("", [], [], {}, options.server_cpus, "", args.seconds, None, args.warmup, args.argon2)
                print(f"[scaling] {target}, generator {placement}, round {round_ + 1}: {workers} worker(s)", flush=True)
                generator = server_cpus if placement == WITH_SERVER else (available - server_cpus) or available
                os.sched_setaffinity(0, generator)
                try:
                    asyncio.run(_run_target(target, options, run, server_cpus))
                finally:
                    os.sched_setaffinity(0, available)
                for row in run.rows:
                    rows.setdefault((target, row.case, workers), []).append(row)
    return rows


def run(argv: list[str]) -> dict[str, list[Pair]]:
    args = parser().parse_args(argv)
    unknown = set(_csv(args.targets)) - set(TARGETS) or set(_csv(args.scenarios)) - set(SCENARIOS)
    if unknown:
        parser().error(f"unknown targets or scenarios: {', '.join(sorted(unknown))} (moto has no workers)")
    if set(_csv(args.generator)) - set(PLACEMENTS) or not _csv(args.generator):
        parser().error(f"--generator takes {', '.join(PLACEMENTS)}")
    if len(_cpus(args.cpus)) < 2 or args.rounds < 1:
        parser().error("--cpus needs at least two CPUs, --rounds at least 1")
    before = os.getloadavg()[0]
    apart_shared = not (os.sched_getaffinity(0) - _cpus(args.cpus))
    n = len(_cpus(args.cpus))
    tables = {}
    for placement in _csv(args.generator):
        rows = measure(args, placement)
        if placement == WITH_SERVER:
            tables[placement] = pairs(rows, n, shared=True, one_shared=True)
        else:
            tables[placement] = pairs(rows, n, shared=apart_shared)
    text = markdown(shlex.join(["python", "-m", "bench", "scaling", *argv]), args, tables, (before, os.getloadavg()[0]))
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "scaling", text)
        print(f"written to {args.output} (section 'scaling')")
    return tables
