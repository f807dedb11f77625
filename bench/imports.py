"""``python -m bench imports``: user import jobs on a real ``userpool serve``: how fast a file of ``--rows`` users
(100,000 by default) is imported, and whether the worker's resident memory stays flat while it imports a file of
``--big-rows`` (1,000,000) users.

Each file is generated on disk line by line (a username, a verified email, MFA off, in GetCSVHeader's columns),
PUT to the job's pre-signed URL with httpx streaming it from the file, and the job started; DescribeUserImportJob
is polled until the job ends. Reported: the upload's time, the import's time from StartDate to CompletionDate and
its users per second, the worker's CPU seconds, and for the big file the worker's RSS (``/proc/<pid>/status``)
read every second: before, its largest, and at the end. The server runs one worker (the import is one thread of
one worker), with ``USERPOOL_USER_IMPORT_MAX_ROWS`` raised for the big file; nothing here runs in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.api import CognitoClient
from bench.memory import MIB, rss_bytes
from bench.report import machine, write_section
from bench.runner import DEFAULT_OUTPUT, _cpus
from bench.servers import TARGETS, USERPOOL_SQLITE, Server, start
from userpool.config import Argon2Params

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench imports", description=__doc__.split("\n")[0])
    p.add_argument("--target", choices=[t for t in TARGETS if t != "moto"], default=USERPOOL_SQLITE)
    p.add_argument("--server-cpus", default="0", help="CPUs the server is pinned to")
    p.add_argument("--rows", type=int, default=100_000, help="users of the timed import (0: none)")
    p.add_argument("--big-rows", type=int, default=1_000_000, help="users of the memory run (0: none)")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'imports' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


def write_file(path: Path, columns: list[str], rows: int) -> int:
    """A CSV file of ``rows`` users, written a line at a time; its size in bytes."""
    at = {name: i for i, name in enumerate(columns)}
    empty = [""] * len(columns)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(columns) + "\n")
        for i in range(rows):
            values = list(empty)
            values[at["cognito:username"]] = f"user{i:07d}"
            values[at["email"]] = f"user{i:07d}@example.com"
            values[at["email_verified"]] = "true"
            values[at["cognito:mfa_enabled"]] = "false"
            values[at["given_name"]] = f"Given {i}"
            out.write(",".join(values) + "\n")
    return path.stat().st_size


@dataclass
class Result:
    rows: int
    file_bytes: int
    upload_seconds: float
    import_seconds: float
    status: str
    imported: int
    failed: int
    cpu_seconds: float
    rss: list[int] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.imported / self.import_seconds if self.import_seconds else 0.0


class RssSampler:
    """The worker's RSS every ``interval`` seconds, in a thread, until stopped."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_bytes(self.pid))


async def import_file(server: Server, folder: Path, rows: int, sample: bool) -> Result:
    client = CognitoClient(server.endpoint)
    try:
        pool = await client.call(
            "CreateUserPool", {"PoolName": f"import-{rows}", "AutoVerifiedAttributes": ["email"]}, signed=True
        )
        pool_id = pool["UserPool"]["Id"]
        columns = (await client.call("GetCSVHeader", {"UserPoolId": pool_id}, signed=True))["CSVHeader"]
        path = folder / f"users-{rows}.csv"
        size = write_file(path, columns, rows)
        job = (
            await client.call(
                "CreateUserImportJob",
                {"UserPoolId": pool_id, "JobName": f"bench-{rows}", "CloudWatchLogsRoleArn": ROLE},
                signed=True,
            )
        )["UserImportJob"]
        started = time.monotonic()
        with path.open("rb") as body:
            answer = httpx.put(job["PreSignedUrl"], content=body, timeout=900)
        answer.raise_for_status()
        upload_seconds = time.monotonic() - started
        path.unlink()
        worker = server.worker_pids()[0]
        cpu_before = server.cpu_times().total
        sampler = RssSampler(worker) if sample else None
        params = {"UserPoolId": pool_id, "JobId": job["JobId"]}
        if sampler is not None:
            sampler.__enter__()
        try:
            await client.call("StartUserImportJob", params, signed=True)
            while True:
                await asyncio.sleep(0.5)
                done = (await client.call("DescribeUserImportJob", params, signed=True))["UserImportJob"]
                if done["Status"] in ("Succeeded", "Failed", "Stopped", "Expired"):
                    break
        finally:
            if sampler is not None:
                sampler.__exit__()
        cpu = server.cpu_times().total - cpu_before
        return Result(
            rows,
            size,
            upload_seconds,
            float(done["CompletionDate"]) - float(done["StartDate"]),
            done["Status"],
            int(done["ImportedUsers"]),
            int(done["FailedUsers"]),
            cpu,
            sampler.samples if sampler is not None else [],
        )
    finally:
        client.close()


async def measure(args: argparse.Namespace) -> list[Result]:
    most = max(args.rows, args.big_rows, 500_000)
    # The server takes these from the environment bench/servers.py starts it with.
    os.environ["USERPOOL_USER_IMPORT_MAX_ROWS"] = str(most)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as name:
        folder = Path(name)
        with start(args.target, _cpus(args.server_cpus), argon2=Argon2Params.fast(), workers=1) as server:
            os.environ.pop("USERPOOL_USER_IMPORT_MAX_ROWS")
            for rows, sample in ((args.rows, False), (args.big_rows, True)):
                if rows:
                    result = await import_file(server, folder, rows, sample)
                    print(f"[imports] {rows:,} rows: {result}", flush=True)
                    results.append(result)
    return results


def markdown(args: argparse.Namespace, argv: list[str], results: list[Result]) -> str:
    lines = [
        "## User import",
        "",
        f"`{shlex.join(['python', '-m', 'bench', 'imports', *argv])}` — {args.target}, one worker pinned to CPU "
        f"{args.server_cpus}, {time.strftime('%Y-%m-%d')}; {machine()}.",
        "",
        "A CSV file of users (username, verified email, given name, MFA off) PUT to a job's pre-signed URL, then "
        "imported by the worker's import thread, 250 lines per transaction (the server's "
        "USERPOOL_USER_IMPORT_MAX_ROWS raised above Cognito's 500,000 for the larger file). Import time is the "
        "job's CompletionDate less its StartDate; CPU is the server process's over the import.",
        "",
        "| users | file MiB | upload s | import s | users/s | CPU s | status | imported | failed |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.rows:,} | {r.file_bytes / MIB:.1f} | {r.upload_seconds:.1f} | {r.import_seconds:.1f} | "
            f"{r.per_second:,.0f} | {r.cpu_seconds:.1f} | {r.status} | {r.imported:,} | {r.failed:,} |"
        )
    for r in results:
        if r.rss:
            first, top, last = r.rss[0], max(r.rss), r.rss[-1]
            lines += [
                "",
                f"Worker RSS while importing {r.rows:,} users ({len(r.rss)} readings, one a second): "
                f"{first / MIB:.1f} MiB before, at most {top / MIB:.1f} MiB, {last / MIB:.1f} MiB at the end "
                f"({(top - first) / MIB:+.1f} MiB at the most). The file is read a line at a time and each batch "
                "is written and let go, so what the import holds does not grow with the file.",
            ]
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> list[Result]:
    args = parser().parse_args(argv)
    results = asyncio.run(measure(args))
    text = markdown(args, argv, results)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "imports", text)
        print(f"written to {args.output} (section 'imports')")
    return results
