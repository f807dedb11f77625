"""``python -m bench breached``: the breached-password corpus at the size of a real import, and its lookups.

1. A hash list in the Pwned Passwords download's format (``UPPERHEXSHA1:count``, CRLF) of ``--hashes`` lines:
   random SHA-1s, and among them those of ``--lookups`` known passwords. ``sorted`` is in hash order, as the
   download is; ``shuffled`` has the same lines with their 65,536 runs sharing the first four hex digits in a
   random order, so that no chunk of the input is in order (the importer's slower way).
2. ``userpool breached-passwords import`` on it, as its own process: wall time, CPU time and peak memory.
3. Lookups in this process through the adapter the server uses (``FileBackedPasswords.contains``: the built-in
   list, then SHA-1 and bisection in the mapped corpus), ``--lookups`` known passwords and as many absent ones,
   alternating, each timed alone; the file was just written, so its pages are in the page cache.

Goals: an import of 10 million hashes within 60 s, a lookup's median within 50 µs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.report import load_note, machine, write_section
from bench.runner import DEFAULT_OUTPUT, _csv
from userpool.breached.file_backed import FileBackedPasswords

ORDERS = ("sorted", "shuffled")
IMPORT_GOAL_S = 60.0
LOOKUP_GOAL_US = 50.0
_RUNS = 1 << 16  # lines are generated in runs sharing their first four hex digits


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench breached", description=__doc__.split("\n")[0])
    p.add_argument("--hashes", type=int, default=10_000_000, help="lines of the generated list")
    p.add_argument("--lookups", type=int, default=100_000, help="lookups of listed passwords (as many absent)")
    p.add_argument("--orders", default="sorted,shuffled", help=f"input orders to import: {', '.join(ORDERS)}")
    p.add_argument("--dir", type=Path, default=None, help="where to write the list and corpus (default: a temp dir)")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'breached' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


def _sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


def present_password(n: int) -> str:
    return f"bench-listed-{n}"


def absent_password(n: int) -> str:
    return f"bench-absent-{n}"


def generate(path: Path, hashes: int, listed: int, order: str, seed: int = 1) -> int:
    """Write the hash list; its size in bytes. The ``listed`` known passwords' hashes are among the lines."""
    known: dict[int, list[str]] = defaultdict(list)
    for n in range(listed):
        digest = _sha1(present_password(n))
        known[int(digest[:4], 16)].append(digest[4:])
    randoms = hashes - listed
    per_run, extra = divmod(randoms, _RUNS)
    runs = list(range(_RUNS))
    if order == "shuffled":
        random.Random(seed).shuffle(runs)
    with path.open("w", newline="") as f:
        for run in runs:
            rng = random.Random(seed << 20 | run)  # each run's lines the same in either order
            k = per_run + (1 if run < extra else 0)
            blob = rng.randbytes(18 * k).hex().upper()
            tails = sorted([blob[i : i + 36] for i in range(0, 36 * k, 36)] + known.get(run, []))
            head = f"{run:04X}"
            f.write("".join(f"{head}{tail}:{rng.randint(1, 9999)}\r\n" for tail in tails))
    return path.stat().st_size


@dataclass
class Imported:
    order: str
    lines: int
    input_bytes: int
    corpus_bytes: int
    seconds: float
    cpu_seconds: float
    peak_rss_kib: int
    generated_seconds: float
    output: str

    @property
    def ok(self) -> bool:
        return self.seconds <= IMPORT_GOAL_S


@dataclass
class Lookups:
    kind: str
    latencies_ns: list[int]
    found: int

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ns)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000

    @property
    def median_us(self) -> float:
        return statistics.median(self.latencies_ns) / 1000

    @property
    def ok(self) -> bool:
        return self.median_us <= LOOKUP_GOAL_US


def import_list(source: Path, corpus: Path) -> tuple[float, float, int, str]:
    """Run the CLI's import as its own process: wall seconds, CPU seconds and peak RSS (KiB) of that process
    (os.wait4), and what it printed."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "userpool", "breached-passwords", "import", str(source), "--corpus", str(corpus)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        assert process.stdout is not None
        output = process.stdout.read().strip()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"the import failed ({process.returncode}): {output}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def measure_lookups(corpus: Path, lookups: int) -> list[Lookups]:
    passwords = FileBackedPasswords(corpus)
    present = Lookups("listed", [], 0)
    absent = Lookups("not listed", [], 0)
    clock = time.perf_counter_ns
    for n in range(lookups):
        for side, password in ((present, present_password(n)), (absent, absent_password(n))):
            started = clock()
            found = passwords.contains(password)
            side.latencies_ns.append(clock() - started)
            side.found += found
    return [present, absent]


@dataclass
class Result:
    command: str
    args: argparse.Namespace
    imports: list[Imported]
    lookups: list[Lookups]
    started: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def measure(args: argparse.Namespace, folder: Path) -> tuple[list[Imported], list[Lookups]]:
    imports: list[Imported] = []
    lookups: list[Lookups] = []
    for order in _csv(args.orders):
        source, corpus = folder / f"pwned-{order}.txt", folder / f"corpus-{order}.bin"
        started = time.perf_counter()
        size = generate(source, args.hashes, args.lookups, order)
        os.sync()  # the list on disk before the import, as a downloaded one is: its fsync waits for its own file only
        generated = time.perf_counter() - started
        print(f"[breached] {order}: {args.hashes:,} lines, {size / 2**20:,.0f} MiB in {generated:.1f} s", flush=True)
        seconds, cpu, rss, output = import_list(source, corpus)
        source.unlink()
        print(f"[breached] {order}: {output}", flush=True)
        imports.append(Imported(order, args.hashes, size, corpus.stat().st_size, seconds, cpu, rss, generated, output))
        if not lookups:
            lookups = measure_lookups(corpus, args.lookups)
            for side in lookups:
                print(
                    f"[breached] lookups {side.kind}: p50 {side.median_us:.2f} µs, p99 {side.quantile(0.99):.2f} µs, "
                    f"found {side.found:,}",
                    flush=True,
                )
        corpus.unlink()
    return imports, lookups


def markdown(result: Result) -> str:
    """The ``breached`` section of docs/benchmarks.md."""
    args = result.args
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(result.started))
    lines = [
        "## Breached-password corpus",
        "",
        f"`{result.command}` — {when}; {machine()}. {load_note(result.load_before, result.load_after)}",
        "",
        "`userpool breached-passwords import` of a generated list in the Pwned Passwords download's format "
        "(`UPPERHEXSHA1:count`, CRLF), run as its own process; `sorted` is in hash order as the download is, "
        "`shuffled` has its runs of lines in a random order (see `bench/breached.py`). Goal: "
        f"10 million hashes within {IMPORT_GOAL_S:.0f} s.",
        "",
        "| input | lines | input MiB | corpus MiB | import s | CPU s | peak RSS MiB | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i in result.imports:
        lines.append(
            f"| {i.order} | {i.lines:,} | {i.input_bytes / 2**20:,.0f} | {i.corpus_bytes / 2**20:,.1f} | "
            f"{i.seconds:.1f} | {i.cpu_seconds:.1f} | {i.peak_rss_kib / 1024:,.0f} | "
            f"{'ok' if i.ok else 'MISS'} <={IMPORT_GOAL_S:.0f} s |"
        )
    lines += [
        "",
        f"Lookups through the server's adapter (`FileBackedPasswords.contains`: SHA-1, the built-in list, bisection "
        f"in the mapped corpus) in the sorted import's corpus, {args.lookups:,} of each kind, alternating, each timed "
        f"alone, the file's pages in the page cache. Goal: median within {LOOKUP_GOAL_US:.0f} µs.",
        "",
        "| lookup | n | p50 µs | p99 µs | found | goal |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for side in result.lookups:
        found = f"{side.found:,}" + (" (false positives)" if side.kind == "not listed" else "")
        figures = f"{len(side.latencies_ns):,} | {side.median_us:.2f} | {side.quantile(0.99):.2f} | {found}"
        lines.append(f"| {side.kind} | {figures} | {'ok' if side.ok else 'MISS'} p50<={LOOKUP_GOAL_US:.0f} µs |")
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> Result:
    args = parser().parse_args(argv)
    orders = _csv(args.orders)
    if not orders or set(orders) - set(ORDERS):
        parser().error(f"--orders takes {', '.join(ORDERS)}")
    if args.lookups < 1 or args.hashes < args.lookups:
        parser().error("--lookups must be at least 1 and at most --hashes")
    started, load_before = time.time(), os.getloadavg()
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        imports, lookups = measure(args, args.dir)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-breached-") as folder:
            imports, lookups = measure(args, Path(folder))
    command = shlex.join(["python", "-m", "bench", "breached", *argv])
    result = Result(command, args, imports, lookups, started, load_before, os.getloadavg())
    text = markdown(result)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "breached", text)
        print(f"written to {args.output} (section 'breached')")
    return result
