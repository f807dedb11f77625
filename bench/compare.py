"""``python -m bench compare``: the scenarios of ``bench run`` on our server at two revisions in one run,
interleaved, and whether each scenario got slower by more than the run-to-run noise.

The new side is the working tree (``--candidate REV`` names a commit instead); the old side is ``--baseline``
(default ``HEAD~1``: this change against the previous commit; ``--baseline HEAD`` for uncommitted changes).
A revision's ``src/`` is exported to a temporary directory (bench/revisions.py) and its server started with
that directory first on ``PYTHONPATH``, in the same venv; each side gets a server and a fresh database of its
own, so two revisions with different schemas each migrate theirs. Both servers run for the whole comparison,
pinned to the same ``--server-cpus``; only one is under load at a time. See METHOD for the rounds and the
verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import shlex
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from bench import scenarios
from bench.load import EXPECTED_ERRORS, Measurement, Worker, drive
from bench.report import load_note, machine, number, write_section
from bench.revisions import Source, checkout, resolve, same_source, working_tree
from bench.runner import DEFAULT_OUTPUT, _cpus, _csv
from bench.scenarios import Bench, Skip
from bench.servers import MOTO, TARGETS, USERPOOL_SQLITE, start
from userpool.config import Argon2Params

OLD, NEW = "old", "new"
MIN_ROUNDS = 5
"""Fewer, and every round could fall on one side by chance too often (1 in 2**rounds) for a verdict."""
SLOWER, WITHIN, FASTER = "slower beyond noise", "within noise", "faster"
RATE, PER_CORE = "req/s", "per core"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__.split("\n")[0])
    p.add_argument("--baseline", default="HEAD~1", help="the old revision (default HEAD~1)")
    p.add_argument("--candidate", default=None, help="the new revision (default: the working tree, as it is)")
    p.add_argument("--target", choices=[t for t in TARGETS if t != MOTO], default=USERPOOL_SQLITE)
    p.add_argument("--scenarios", default=",".join(scenarios.SCENARIOS), help="comma-separated, default all")
    p.add_argument(
        "--rounds", type=int, default=MIN_ROUNDS, help=f"windows of each scenario on each side, at least {MIN_ROUNDS}"
    )
    p.add_argument("--seconds", type=float, default=2.0, help="measured seconds of each window")
    p.add_argument("--warmup", type=float, default=0.5, help="unmeasured seconds before each window")
    p.add_argument("--concurrency", type=int, default=8, help="concurrent connections (closed loop)")
    p.add_argument("--list-concurrency", type=int, default=1, help="concurrency of list_users (a latency target)")
    p.add_argument("--list-sizes", default="1000,10000,100000", help="ListUsers pool sizes")
    p.add_argument("--users", type=int, default=None, help="signed-in users per side (default 2 x concurrency)")
    p.add_argument("--server-cpus", default="0", help="CPUs both servers are pinned to, e.g. 0 or 0-1")
    p.add_argument("--argon2", choices=("owasp", "fast"), default="owasp", help="our server's argon2id cost")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'compare' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


# The verdict: plain numbers in, so that it can be checked on made-up figures.


@dataclass(frozen=True)
class Judgement:
    """One figure of one scenario, higher meaning faster (req/s, or per-core rate = 1 / CPU per request):
    new over old in each round, and the ratios of consecutive rounds of the same code."""

    ratios: tuple[float, ...]
    same_code: tuple[float, ...]

    @property
    def ratio(self) -> float:
        """The median of the rounds' new/old."""
        return statistics.median(self.ratios)

    @property
    def noise(self) -> float:
        """The largest change between two consecutive rounds of the same code, as a factor (1.04: 4%)."""
        return max((max(q, 1 / q) for q in self.same_code), default=1.0)

    @property
    def verdict(self) -> str:
        """Slower (faster) when every round's new/old is below (above) 1 and their median lies beyond the
        largest change the same code showed between two of its own rounds."""
        if max(self.ratios) < 1 and self.ratio < 1 / self.noise:
            return SLOWER
        if min(self.ratios) > 1 and self.ratio > self.noise:
            return FASTER
        return WITHIN


def judge(old: list[float], new: list[float]) -> Judgement | None:
    """The judgement of a figure measured ``len(old)`` rounds on each side; None without two whole rounds."""
    values = old + new
    if len(old) != len(new) or len(old) < 2 or not all(math.isfinite(v) and v > 0 for v in values):
        return None
    same_code = [b / a for side in (old, new) for a, b in itertools.pairwise(side)]
    return Judgement(tuple(n / o for o, n in zip(old, new, strict=True)), tuple(same_code))


def overall(judgements: dict[str, Judgement | None]) -> str:
    """One verdict from the figures': slower if any is slower beyond noise (which, in brackets), faster if
    any is faster and none slower, else within noise; empty when no figure could be judged."""
    judged = {name: j for name, j in judgements.items() if j is not None}
    if not judged:
        return ""
    for verdict in (SLOWER, FASTER):
        named = [name for name, j in judged.items() if j.verdict == verdict]
        if named:
            return f"{verdict} ({', '.join(named)})"
    return WITHIN


@dataclass
class Comparison:
    """One scenario's rounds on both sides."""

    case: str
    concurrency: int
    old: list[Measurement] = field(default_factory=list)
    new: list[Measurement] = field(default_factory=list)
    note: str = ""

    def _figure(self, side: list[Measurement], rate: bool) -> list[float]:
        return [m.per_second if rate else m.per_core for m in side]

    @property
    def judgements(self) -> dict[str, Judgement | None]:
        return {
            RATE: judge(self._figure(self.old, True), self._figure(self.new, True)),
            PER_CORE: judge(self._figure(self.old, False), self._figure(self.new, False)),
        }

    @property
    def verdict(self) -> str:
        return overall(self.judgements)


def _median(side: list[Measurement], rate: bool) -> float:
    values = [m.per_second if rate else m.server_cpu_ms for m in side]
    return statistics.median(values) if values else math.nan


def _p99(side: list[Measurement]) -> float:
    values = [m.percentile(99) for m in side if m.latencies_ms]
    return statistics.median(values) if values else math.nan


def _ratio(j: Judgement | None) -> str:
    return f"{j.ratio:.3f} ({min(j.ratios):.3f}–{max(j.ratios):.3f})" if j is not None else "-"


def cells(c: Comparison) -> list[str]:
    js = c.judgements
    noise = [f"±{100 * (j.noise - 1):.1f}%" if j is not None else "-" for j in js.values()]
    return [
        c.case,
        str(c.concurrency),
        f"{number(_median(c.old, True), 1)} → {number(_median(c.new, True), 1)}",
        _ratio(js[RATE]),
        f"{number(_median(c.old, False), 3)} → {number(_median(c.new, False), 3)}",
        _ratio(js[PER_CORE]),
        f"{number(_p99(c.old))} → {number(_p99(c.new))}",
        ", ".join(noise),
        c.verdict or c.note or "not judged: a round without a successful request",
    ]


HEADER = (
    "scenario",
    "C",
    "req/s old → new",
    "req/s new/old (rounds)",
    "CPU ms/req old → new",
    "per core new/old (rounds)",
    "p99 ms old → new",
    "same code ± (req/s, per core)",
    "verdict",
)


@dataclass
class Result:
    command: str
    args: argparse.Namespace
    old: Source
    new: Source
    same: bool
    comparisons: list[Comparison]
    started: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    finished: float = 0.0


def summary(result: Result) -> list[str]:
    verdicts = [c.verdict.split(" (")[0] for c in result.comparisons if c.verdict]
    counts = ", ".join(f"{verdicts.count(v)} {v}" for v in (SLOWER, WITHIN, FASTER))
    found = [f"{len(verdicts)} scenarios judged: {counts}."]
    if result.same:
        found.append("src/ is the same on both sides: this run measured the noise alone (an A/A comparison).")
    for c in result.comparisons:
        if c.note and c.verdict:
            found.append(f"{c.case}: {c.note}")
        for side, rounds in ((OLD, c.old), (NEW, c.new)):
            errors = sum(m.errors for m in rounds)
            if errors:
                kinds: dict[str, int] = {}
                for m in rounds:
                    for kind, n in m.error_kinds.items():
                        kinds[kind] = kinds.get(kind, 0) + n
                listed = ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items()))
                found.append(f"{c.case} on {side}: {errors} errors ({listed})")
    return found


def markdown(result: Result) -> str:
    """The ``compare`` section of docs/benchmarks.md."""
    args = result.args
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(result.started))
    took = (result.finished - result.started) / 60
    lines = [
        "## Revisions compared",
        "",
        f"Latest run: {when}, {took:.0f} min; {machine()}. See [How it is compared](#how-it-is-compared).",
        "",
        "```",
        result.command,
        "```",
        "",
        f"- old: {result.old.describe()}.",
        f"- new: {result.new.describe()}.",
        f"- {args.target}, a server and a fresh database for each side, both pinned to CPU {args.server_cpus}, "
        f"the load generator on the other CPUs. Each scenario: {args.rounds} rounds, each a window of each side "
        f"({args.warmup:g} s warm-up, then {args.seconds:g} s measured), old first in odd rounds and new first "
        f"in even ones; argon2id m={argon2.memory_kib} KiB, t={argon2.time_cost}, p={argon2.parallelism}. "
        f"{load_note(result.load_before, result.load_after)}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" if i in (0, len(HEADER) - 1) else "---:" for i in range(len(HEADER))) + "|",
    ]
    lines += ["| " + " | ".join(cells(c)) + " |" for c in result.comparisons]
    lines += ["", *(f"- {line}" for line in summary(result)), "", METHOD]
    return "\n".join(lines)


METHOD = """### How it is compared

`python -m bench compare` starts our server twice, as `bench run` does: once from the working tree's
`src/` (or `--candidate`'s), once from `--baseline`'s, exported with `git archive` into a temporary directory
that is removed afterwards; each is put first on `PYTHONPATH` of its server (same venv), which checks that
`userpool` is imported from there. Each side has its own data directory and database (a scratch one on
PostgreSQL), migrated by its own revision; ListUsers pools are bulk-loaded by each revision's own code.

Every scenario then runs in rounds: in each round one window on the old server and one on the new, the order
alternating (old, new | new, old | old, new ...), so that a machine that gets busier or quieter weighs on
both sides alike. The other server is idle while one is measured.

- **req/s old → new**, **CPU ms/req old → new**: the median of each side's rounds.
- **new/old (rounds)**: the median of the rounds' new/old ratios, and their lowest and highest, for req/s
  and for the per-core rate (1 / CPU per request, so below 1 is slower for both).
- **p99 ms old → new**: the median of each side's rounds' 99th percentile of latency (reported, not
  judged; in the mixed scenario it is the password sign-ins' argon2id and what queues behind it).
- **same code ±**: the largest change between two consecutive rounds of the same revision: how much the
  figure moves when nothing changed.
- **verdict**, per figure: *slower beyond noise* when every round's new/old is below 1 and their median lies
  below what the same code moved (1 / (1 + same code ±)); *faster* the other way round; otherwise *within
  noise*. The scenario is slower if either figure is (named in brackets). CPU per request is the steadier
  figure on a shared machine; req/s also shows time spent waiting.
- Every round falling on the same side of 1 by chance alone has odds of 1 in 2^rounds per figure (1 in 32 at
  the default and least 5 rounds), and the median must also clear the same code's spread: a lone "slower" in
  a run of many scenarios can be chance, so re-run that scenario (`--scenarios`, more `--rounds`) before
  believing it; the same scenario slower again is not noise.
"""


# Running.


@dataclass
class Side:
    name: str
    source: Source
    bench: Bench | None = None
    failure: str = ""


async def _side_workers(side: Side, case: str) -> tuple[list[Worker] | None, str]:
    """The side's workers of ``case`` (None if it cannot run it) and a note naming the side."""
    if side.bench is None:
        return None, f"set-up failed on {side.name}: {side.failure}"
    try:
        workers, note = await side.bench.workers(case)
    except (Skip, subprocess.CalledProcessError, *EXPECTED_ERRORS) as error:
        # CalledProcessError: a ListUsers pool's bulk load, run by the side's own revision, failed.
        label = "skipped" if isinstance(error, Skip) else "set-up failed"
        return None, f"{label} on {side.name}: {error}"
    return workers, f"{side.name}: {note}" if note else ""


async def _compare_case(case: str, sides: list[Side], args: argparse.Namespace) -> Comparison:
    concurrency = args.list_concurrency if case.startswith("list_users[") else args.concurrency
    comparison = Comparison(case, concurrency)
    workers: dict[str, list[Worker]] = {}
    notes: list[str] = []
    try:
        for side in sides:
            found, note = await _side_workers(side, case)
            notes += [note] if note else []
            if found is not None:
                workers[side.name] = found
        comparison.note = "; ".join(notes)[:300]
        if len(workers) < len(sides):
            print(f"[compare] {case}: {comparison.note}", flush=True)
            return comparison
        for round_ in range(args.rounds):
            for side in sides if round_ % 2 == 0 else sides[::-1]:
                assert side.bench is not None
                m = await drive(
                    workers[side.name], side.bench.server, seconds=args.seconds, requests=None, warmup=args.warmup
                )
                (comparison.old if side.name == OLD else comparison.new).append(m)
                print(
                    f"[compare] {case} round {round_ + 1}/{args.rounds} {side.name}: {m.per_second:,.1f}/s, "
                    f"CPU {m.server_cpu_ms:.3f} ms/req, {m.errors} errors",
                    flush=True,
                )
    finally:
        for side in sides:
            if side.bench is not None:
                side.bench.close_clients()
    print(f"[compare] {case}: {comparison.verdict or comparison.note}", flush=True)
    return comparison


async def measure(args: argparse.Namespace, old: Source, new: Source) -> list[Comparison]:
    """Both servers up, set up alike, then every scenario compared."""
    argon2 = Argon2Params() if args.argon2 == "owasp" else Argon2Params.fast()
    server_cpus = _cpus(args.server_cpus)
    sides = [Side(OLD, old), Side(NEW, new)]
    with ExitStack() as stack:
        for side in sides:
            print(f"[compare] {side.name}: {side.source.describe()}, starting on CPU {args.server_cpus}", flush=True)
            server = stack.enter_context(start(args.target, server_cpus, argon2=argon2, source=side.source.src))
            bench = Bench(server, args.concurrency, args.list_concurrency, moto_list_max=0)
            try:
                await bench.setup(args.users or 2 * args.concurrency)
                side.bench = bench
            except EXPECTED_ERRORS as error:
                side.failure = str(error)[:160]
                print(f"[compare] {side.name}: set-up failed: {error}\n{server.log_tail()}", flush=True)
        cases = scenarios.cases(_csv(args.scenarios), [int(s) for s in _csv(args.list_sizes)])
        return [await _compare_case(case, sides, args) for case in cases]


@contextmanager
def _sources(args: argparse.Namespace) -> Iterator[tuple[Source, Source]]:
    with ExitStack() as stack:
        old = stack.enter_context(checkout(args.baseline))
        new = stack.enter_context(checkout(args.candidate)) if args.candidate else working_tree()
        yield old, new


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def check(args: argparse.Namespace) -> argparse.Namespace:
    """``args`` if they can run (the revisions name commits), else the parser's error and exit."""
    unknown = set(_csv(args.scenarios)) - set(scenarios.SCENARIOS)
    if unknown:
        parser().error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if (
        args.rounds < MIN_ROUNDS
        or args.seconds <= 0
        or args.warmup < 0
        or min(args.concurrency, args.list_concurrency) < 1
    ):
        parser().error(
            f"--rounds must be at least {MIN_ROUNDS}, --seconds above 0, --warmup at least 0, concurrency at least 1"
        )
    for revision in (args.baseline, args.candidate):
        try:
            if revision is not None:
                resolve(revision)
        except ValueError as error:
            parser().error(str(error))
    return args


def run(argv: list[str]) -> Result:
    """Parse ``argv`` (the options of ``compare``), compare, print the section and write it unless
    ``--output -``."""
    args = check(parser().parse_args(argv))
    available = os.sched_getaffinity(0)
    # A terminated run cleans up as an interrupted one does: servers stopped, exported revisions removed.
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        with _sources(args) as (old, new):
            result = Result(
                shlex.join(["python", "-m", "bench", "compare", *argv]),
                args,
                old,
                new,
                same_source(old, new),
                [],
                time.time(),
                os.getloadavg(),
            )
            os.sched_setaffinity(0, (available - _cpus(args.server_cpus)) or available)
            result.comparisons = asyncio.run(measure(args, old, new))
    finally:
        os.sched_setaffinity(0, available)
        signal.signal(signal.SIGTERM, previous)
    result.load_after, result.finished = os.getloadavg(), time.time()
    text = markdown(result)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "compare", text)
        print(f"written to {args.output} (section 'compare')")
    return result
