"""``--profile``: py-spy attached to our server's process while a scenario runs, and where the samples fall.

py-spy samples the running server from outside (no instrumentation, so what it shows is what the server
does under load) at ``--profile-rate`` Hz, without pausing it, idle threads left out. The raw output is the
collapsed-stack format (one ``frame;frame;... count`` line per stack, as flamegraph.pl and speedscope read
it), saved as ``<dir>/<target>-<case>.txt``; a summary beside it (``.summary.txt``) groups the samples three
ways: by the package the CPU burns in (the leaf frame), by the deepest function of ours on the stack (the
code responsible, with the library calls it makes), and by function (self time).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.servers import CpuTimes, process_cpu_times

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]*)(?::\d+)?\)$")
_OURS = "userpool/"


def py_spy() -> str:
    """The py-spy executable: the venv's (dev extra) or one on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise RuntimeError("py-spy is not installed: `make install` installs the dev extras, py-spy among them")
    return found


class Profiler:
    """py-spy recording ``pid`` (and its worker processes) until :meth:`stop`.

    ``gil``: sample only the thread holding the GIL, so the samples are the server's Python-level CPU and
    nothing else; work done with the GIL released (argon2id, SQLite's own engine, socket I/O) is then not
    seen, and the summary says how much of the server's CPU that was. Without it every thread py-spy deems
    active is sampled, which under load also counts threads waiting for the GIL.
    """

    def __init__(self, pid: int, output: Path, rate: int, *, gil: bool = True) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        self.output = output
        self.rate = rate
        self.pid = pid
        command = [py_spy(), "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
        command += ["--output", str(output), "--nonblocking", "--subprocesses"] + (["--gil"] if gil else [])
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.started = time.perf_counter()
        self.cpu = process_cpu_times(pid)

    def stop(self) -> list[str]:
        """Stop recording; the summary of what was recorded (written beside the profile too)."""
        seconds = time.perf_counter() - self.started
        cpu = process_cpu_times(self.pid) - self.cpu
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        if not self.output.exists():
            raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}")
        return summarise(self.output, cpu=cpu, sampled_seconds=seconds, rate=self.rate)


def _frames(stack: str) -> list[tuple[str, str]]:
    """(function, file) of each frame, outermost first."""
    found = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        found.append((match["function"], match["file"]) if match else (frame, ""))
    return found


def _package(file: str) -> str:
    """``userpool/api`` for our files, the top-level package (or module) for the others."""
    parts = file.replace("\\", "/").split("/")
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
    if "userpool" in parts:
        rest = parts[parts.index("userpool") :]
        return "/".join(rest[:2]) if len(rest) > 2 else rest[0]
    if "python3.11" in parts or "lib" in parts:
        parts = parts[-1:]
    name = parts[0] if parts and parts[0] else file
    return name.removesuffix(".py") or "?"


def summarise(raw: Path, *, cpu: CpuTimes, sampled_seconds: float, rate: int, top: int = 15) -> list[str]:
    """The three groupings of the samples in ``raw``, as text lines; written beside it too."""
    leaf_package: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = _frames(stack)
        function, file = frames[-1]
        leaf_package[_package(file)] += count
        self_time[f"{function} ({file})"] += count
        mine = [f"{f} ({p})" for f, p in frames if _OURS in p.replace("\\", "/")]
        ours[mine[-1] if mine else "(outside userpool: server loop, HTTP, threads)"] += count
    if not total:
        return [f"{raw}: no samples"]

    def block(title: str, counter: Counter[str]) -> list[str]:
        return [title] + [f"  {100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]

    lines = [
        f"{raw.name}: {total} samples = {total / rate:.1f} s sampled over {sampled_seconds:.1f} s, in which the "
        f"server used {cpu.total:.1f} s of CPU ({cpu.user:.1f} s user, {cpu.system:.1f} s system)"
    ]
    lines += block("by package of the leaf frame (where the CPU burns):", leaf_package)
    lines += block("by the deepest userpool function on the stack (self + the libraries it calls):", ours)
    lines += block("by function, self time:", self_time)
    raw.with_suffix(".summary.txt").write_text("\n".join(lines) + "\n")
    return lines
