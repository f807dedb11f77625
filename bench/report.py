"""The results table: printed, and written as Markdown (``docs/benchmarks.md``) with the command that made it,
the machine, and how the figures are measured.

docs/benchmarks.md holds one section per command (``bench run``, ``bench scaling``, ``bench memory``,
``bench existence``, ``bench compare``), each between HTML comment markers: a command rewrites its own section
and keeps the rest of the page as it is, so the figures of a long run (100k sign-ins) are not lost to a quick
one of another command.
"""

from __future__ import annotations

import math
import os
import platform
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bounds import Bound
from bench.load import Measurement
from bench.population import Plan
from bench.servers import MOTO

# The per-core targets, requests per second of one core, and ListUsers' latency (docs/architecture.md, Hot-path rules).
PER_CORE_TARGETS = {
    "password_login": 40,
    "srp_login": 180,
    "refresh": 1_300,
    "client_credentials": 2_200,
    "get_user": 5_000,
    "admin_get_user": 5_000,
}
# What moto does not do, which its rates in these scenarios leave out (moto/cognitoidp/models.py).
MOTO_CAVEATS = {
    "signup": "moto stores passwords in plain text: its sign-up and password sign-in hash nothing",
    "srp_login": "moto does no SRP arithmetic (its SRP_B is a random UUID and the claim is not checked)",
}
MOTO_CAVEATS["password_login"] = MOTO_CAVEATS["signup"]
LIST_P50_MS = 5.0
LIST_FLATNESS = 1.5


@dataclass
class Row:
    case: str
    target: str
    measurement: Measurement | None = None
    note: str = ""
    concurrency: int = 0


@dataclass
class Run:
    command: str
    rows: list[Row]
    bounds: list[Bound]
    plans: dict[str, dict[int, list[Plan]]]
    """target -> pool size -> plans."""
    server_cpus: str
    client_cpus: str
    seconds: float
    requests: int | None
    warmup: float
    argon2: str
    started: float = field(default_factory=time.time)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    profiles: dict[str, list[str]] = field(default_factory=dict)
    # One token signature on the servers' CPUs, µs of CPU, before and after the scenarios (bench/signing.py).
    signature_us: tuple[float, float] = (math.nan, math.nan)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def number(value: float, digits: int = 2) -> str:
    if math.isnan(value):
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if value < 10 else f"{value:.1f}"


def _scenario(case: str) -> str:
    return case.split("[", 1)[0]


def moto_ratio(run: Run, row: Row) -> str:
    """Our per-core rate over moto's for the same case (> 1: we do more per core)."""
    if row.target == MOTO or row.measurement is None:
        return ""
    theirs = next((r for r in run.rows if r.target == MOTO and r.case == row.case and r.measurement), None)
    if theirs is None or theirs.measurement is None or not theirs.measurement.requests:
        return ""
    ratio = row.measurement.per_core / theirs.measurement.per_core
    return "-" if math.isnan(ratio) else f"{ratio:.2f}x"


def verdict(row: Row) -> str:
    """The target of the row and whether it is met (per-core rate, or ListUsers' p50)."""
    m = row.measurement
    if m is None or row.target == MOTO or not m.requests:
        return ""
    scenario = _scenario(row.case)
    if scenario in PER_CORE_TARGETS:
        goal = PER_CORE_TARGETS[scenario]
        return f"{'ok' if m.per_core >= goal else 'MISS'} >={goal:,}/s"
    if scenario == "list_users":
        return f"{'ok' if m.percentile(50) <= LIST_P50_MS else 'MISS'} p50<={LIST_P50_MS:g}ms"
    return ""


def flatness(run: Run) -> list[str]:
    """ListUsers' p50 at the largest pool over the smallest, per target of ours (the target: within 1.5x)."""
    lines = []
    for target in dict.fromkeys(r.target for r in run.rows):
        sized = [r for r in run.rows if r.target == target and r.case.startswith("list_users[") and r.measurement]
        if target == MOTO or len(sized) < 2:
            continue
        first, last = sized[0].measurement, sized[-1].measurement
        assert first is not None and last is not None
        ratio = last.percentile(50) / first.percentile(50)
        ok = "ok" if ratio <= LIST_FLATNESS else "MISS"
        lines.append(
            f"{target}: ListUsers p50 {sized[-1].case} / {sized[0].case} = {ratio:.2f} ({ok}: <= {LIST_FLATNESS})"
        )
    return lines


HEADER = (
    "scenario",
    "target",
    "C",
    "requests",
    "errors",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "CPU ms/req",
    "sys %",
    "per core/s",
    "srv busy",
    "db ms/req",
    "gen busy",
    "ours/moto",
    "goal",
)


def cells(run: Run, row: Row) -> list[str]:
    m = row.measurement
    if m is None:
        return [row.case, row.target, *[""] * (len(HEADER) - 3), row.note]
    return [
        row.case,
        row.target,
        str(row.concurrency),
        str(m.requests),
        str(m.errors),
        number(m.per_second, 1),
        number(m.percentile(50)),
        number(m.percentile(95)),
        number(m.percentile(99)),
        number(m.server_cpu_ms, 3),
        f"{100 * m.server_system_s / m.server_cpu_s:.0f}" if m.server_cpu_s > 0 else "-",
        number(m.per_core),
        f"{m.server_busy:.2f}",
        number(m.database_cpu_ms, 3),
        f"{m.client_busy:.2f}",
        moto_ratio(run, row),
        verdict(row),
    ]


def notes(run: Run) -> list[str]:
    found = []
    with_moto = {_scenario(r.case) for r in run.rows if r.target == MOTO and r.measurement}
    found += [f"ours/moto of {s}: {text}" for s, text in MOTO_CAVEATS.items() if s in with_moto]
    for row in run.rows:
        m = row.measurement
        if m is not None and m.errors:
            kinds = ", ".join(f"{k} x{n}" for k, n in sorted(m.error_kinds.items()))
            found.append(f"{row.case} on {row.target}: {m.errors} errors ({kinds}), e.g. {m.error_sample}")
        if m is not None and row.note:
            found.append(f"{row.case} on {row.target}: {row.note}")
    return found


def print_table(run: Run) -> None:
    table = [list(HEADER)] + [cells(run, r) for r in run.rows]
    # The last column holds the notes of skipped rows: those run past the header's width.
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER) - 1)] + [len(HEADER[-1])]
    for n, line in enumerate(table):
        text = "  ".join(
            c.rjust(w) if 1 < i < len(HEADER) - 1 else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        print(text.rstrip())
        if n == 0:
            print("-" * len(text))
    for extra in flatness(run) + notes(run):
        print(f"  {extra}")
    before, after = run.signature_us
    print(f"one token signature on CPU {run.server_cpus}: {number(before)} µs before, {number(after)} µs after")
    if run.bounds:
        print("bounds (alone, on the load generator's core):")
        for b in run.bounds:
            print(
                f"  {b.scenario:<15} {b.name:<22} {b.detail:<20} p50 {b.p50_ms:7.3f} ms  {b.per_core:8,.0f}/s per core"
            )


# Below this one-minute load average before a run, nothing else was competing for the cores.
IDLE_LOAD = 0.5


def load_note(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    """What the load average says about a run's figures; ``after`` includes the run's own load."""
    shared = (
        "the machine was otherwise idle."
        if before[0] < IDLE_LOAD
        else "other work shared this machine, so single figures are noisy."
    )
    return f"Load average {before[0]:.2f} before, {after[0]:.2f} after: {shared}"


def libpython_linkage(maps: Path = Path("/proc/self/maps")) -> str:
    """How this interpreter (the servers' too: they run ``sys.executable``) holds its core: as a shared
    libpython, called through the dynamic linker's tables (pyenv's builds, ``--enable-shared``), or linked into
    the executable (Debian's ``/usr/bin/python3``, the official Docker images). Our code ran 12-20 % faster
    in-process on the second kind (docs/profiles.md, "What is left")."""
    try:
        mapped = maps.read_text()
    except OSError:
        return "libpython linkage unknown"
    return "libpython a shared library" if re.search(r"/libpython3[.\d]*\.so", mapped) else "libpython linked in"


def machine() -> str:
    python = f"Python {platform.python_version()} ({libpython_linkage()})"
    return f"{cpu_model()}, {os.cpu_count()} cores; Linux {platform.release()}; {python}"


def markdown(run: Run) -> str:
    """The ``run`` section of docs/benchmarks.md."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(run.started))
    bound = f"{run.requests:,} requests or " if run.requests else ""
    lines = [
        "## Scenarios",
        "",
        f"Latest run: {when}, produced by `bench/` (see [How it is measured](#how-it-is-measured)):",
        "",
        "```",
        run.command,
        "```",
        "",
        f"- Machine: {machine()}.",
        f"- Each server pinned to CPU {run.server_cpus}; the load generator on CPU {run.client_cpus}. "
        f"{load_note(run.load_before, run.load_after)} CPU per request is the steadier figure: it does not "
        "depend on how much of the core the server got.",
        f"- One token signature (RS256, RSA-2048) on CPU {run.server_cpus}: {number(run.signature_us[0])} µs of CPU "
        f"before the scenarios, {number(run.signature_us[1])} µs after. A refresh signs two tokens and "
        "client_credentials one: that much of their CPU per request is the machine's, not our code's.",
        f"- Each row: {run.warmup:g} s warm-up, then {bound}{run.seconds:g} s measured; our server at argon2id "
        f"{run.argon2}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(HEADER))) + "|",
    ]
    lines += ["| " + " | ".join(cells(run, r)) + " |" for r in run.rows]
    lines += [""]
    extra = flatness(run) + notes(run)
    if extra:
        lines += [f"- {line}" for line in extra] + [""]
    if run.bounds:
        lines += [
            "## What bounds the sign-ins",
            "",
            "Timed alone on the load generator's core, one call at a time, per core/s from the CPU the whole process "
            "used (argon2id runs on the hasher's own thread): no server can do better per core than these.",
            "",
            "| bounds | work | detail | p50 ms | per core/s |",
            "|---|---|---|---:|---:|",
        ]
        lines += [f"| {b.scenario} | {b.name} | {b.detail} | {b.p50_ms:.3f} | {b.per_core:,.0f} |" for b in run.bounds]
        lines += [""]
    if run.plans:
        lines += ["## ListUsers query plans", "", "Every statement our server runs for each query, with its plan:", ""]
        for target, sizes in run.plans.items():
            for size, plans in sizes.items():
                bad = [p for p in plans if p.problems]
                small = (
                    " (PostgreSQL rightly reads a table of a few pages sequentially)" if bad and size < 10_000 else ""
                )
                lines.append(
                    f"- {target}, {size:,} users: {len(plans)} statements, {len(bad)} whose cost grows with the pool"
                    + small
                )
                for plan in bad:
                    lines.append(f"  - {plan.query}: `{plan.statement[:160]}`: {'; '.join(plan.problems)[:200]}")
        lines += [""]
    if run.profiles:
        lines += ["## Profiles", ""]
        for name, summary in run.profiles.items():
            lines += [f"### {name}", "", "```", *summary, "```", ""]
    lines += [METHOD]
    return "\n".join(lines)


METHOD = """## How it is measured

`python -m bench run` starts every target as its own OS process pinned (taskset) to the server CPU(s):
our server with `python -m userpool serve` (real SigV4 against an admin key from its environment, argon2id at
the default OWASP cost unless `--argon2 fast`), on SQLite in a temporary data directory or on a scratch
PostgreSQL database, and moto with `moto_server` (its per-request log line off, as ours is). The load
generator runs on the other CPU(s): asyncio, C workers each on its own raw HTTP/1.1 keep-alive connection,
orjson bodies, SigV4 computed per request, the client half of SRP with precomputed ephemerals and gmpy2.

- **C**: concurrent workers (closed loop: each sends its next request when the last is answered).
- **req/s**: successful requests completed in the measured window / its length.
- **p50/p95/p99**: latency of those requests as the client saw it (srp_login: both round trips and the
  client's own SRP arithmetic, about 1 ms, in between).
- **CPU ms/req**: the server process's utime + stime (from `/proc/<pid>/stat`, its worker processes included)
  over the window, divided by the requests; **sys %**: the share of it spent in the kernel. **per core/s** =
  1000 / CPU ms/req: what one core sustains, measured rather than estimated. **srv busy**: server cores used
  over the window (1.00 = its core saturated). **db ms/req**: CPU of the PostgreSQL backends serving our
  database (not pinned, not included in CPU ms/req). **gen busy**: the load generator's own core use (near
  1.00 means the client, not the server, limited req/s).
- **ours/moto**: our per-core rate over moto's, for the same scenario (> 1: we do more per core).
- **goal**: the per-core target of docs/architecture.md, Hot-path rules (or ListUsers' p50 <= 5 ms at
  concurrency 1), met or missed.
- ListUsers pools are bulk-loaded straight into our server's tables; moto's through AdminCreateUser, up to
  `--moto-list-max` users.

Where the server's time goes: `--profile` attaches py-spy (a dev extra) to our server for each scenario and
saves the collapsed stacks and a summary to `bench/profiles/`, e.g.

```
python -m bench run --targets userpool-sqlite --scenarios get_user,refresh,password_login --seconds 10 --profile
```

By default it samples only the thread holding the GIL (`--profile-threads gil`): Python-level CPU, attributed
to the function that spends it; the summary's first line says how much of the server's CPU that covers (the
rest is work done without the GIL: argon2id, SQLite's engine, system calls).
"""


SECTIONS = ("run", "scaling", "memory", "existence", "breached", "imports", "compare")
"""The generated sections of the page, in page order."""

PAGE_HEAD = """# Benchmarks

Generated by `bench/`: each section below is rewritten by its own command (`python -m bench run`,
`python -m bench scaling`, `python -m bench memory`, `python -m bench existence`, `python -m bench breached`,
`python -m bench imports`, `python -m bench compare`), which leaves the other sections as they are; compare
figures within one section (one run), not across sections, which may come from different days and loads.

Where the time goes: [profiles.md](profiles.md), profiles of our server under these scenarios.
"""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench {name}: begin -->", f"<!-- bench {name}: end -->"


def replace_section(page: str, name: str, body: str) -> str:
    """``page`` with section ``name`` set to ``body`` and everything else kept as it is. A section not yet
    on the page goes after the sections that come before it in SECTIONS (or before those after it); an
    empty page starts as PAGE_HEAD."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}: one of {', '.join(SECTIONS)}")
    begin, end = _markers(name)
    block = f"{begin}\n{body.strip()}\n{end}"
    if not page.strip():
        page = PAGE_HEAD
    start = page.find(begin)
    stop = page.find(end, start + len(begin)) if start >= 0 else -1
    if start >= 0 and stop >= 0:
        return page[:start] + block + page[stop + len(end) :]
    order = SECTIONS.index(name)
    for before in reversed(SECTIONS[:order]):
        at = page.find(_markers(before)[1])
        if at >= 0:
            at += len(_markers(before)[1])
            return page[:at] + "\n\n" + block + page[at:]
    for after in SECTIONS[order + 1 :]:
        at = page.find(_markers(after)[0])
        if at >= 0:
            return page[:at] + block + "\n\n" + page[at:]
    return page.rstrip("\n") + "\n\n" + block + "\n"


def write_section(path: Path, name: str, body: str) -> None:
    """Set section ``name`` of the Markdown page at ``path`` (made if missing) to ``body``."""
    page = path.read_text() if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replace_section(page, name, body))
