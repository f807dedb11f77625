"""``python -m bench imports``: user import jobs on a real ``userpool serve``, driven through boto3: a file of
``--rows`` users (100,000 by default) per password hashing algorithm, imported and checked, and whether the
worker's resident memory stays flat while it imports a file of ``--big-rows`` (1,000,000) users.

A job has one PasswordHashingAlgorithm, so each of ``--algorithms`` (BCRYPT and PBKDF2_SHA256) gets its own job
and file: users without a hash, one in 50 with a hash of that algorithm, one in 125 a bad line of one of several
kinds (bench/import_files.py). After the job, bench/import_checks.py checks its counts, the reason of every bad
line where the server keeps them, and that users of each hash form sign in with their old password and are
rehashed to argon2id; any check that does not hold ends the bench with a nonzero exit and the list of what
failed, and nothing is written. The big file's users all import, and its job must end with them all imported
and the worker's RSS within ``RSS_GROWTH_BOUND`` of where it started.

Each file is generated on disk line by line, PUT to the job's pre-signed URL by httpx streaming it from the file
(a plain HTTP PUT, no AWS signature), and the job started; DescribeUserImportJob is polled until the job ends.
Reported per file: the upload's time, the import's time from StartDate to CompletionDate and its lines per
second, the server's CPU seconds, the worker's RSS (``/proc/<pid>/status``, read every second) before, at its
largest and at the end, and the load average around it. The server runs one worker (the import is one thread of
one worker), with ``USERPOOL_USER_IMPORT_MAX_ROWS`` raised for the big file and its log delivery's default sink a
file the checks read; nothing here runs in ``make test``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.import_checks import ReadOnlyDatabase, check_counts, check_reasons, check_sign_ins, idp_client
from bench.import_files import ALGORITHMS, BAD_EVERY, BAD_KINDS, HASHED_EVERY, Mix, write_file, write_mixed_file
from bench.memory import MIB, rss_bytes
from bench.report import load_note, machine, write_section
from bench.runner import DEFAULT_OUTPUT, _cpus, _csv
from bench.servers import TARGETS, USERPOOL_SQLITE, Server, start
from userpool.config import Argon2Params

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"
FINISHED = ("Succeeded", "Failed", "Stopped", "Expired")
# The big file is 72 MiB: an import that held its lines or users would grow by more than this.
RSS_GROWTH_BOUND = 32 * MIB
# A job that imports fewer than this many lines a second is taken to be stuck.
SLOWEST_LINES_PER_SECOND = 100


class ChecksFailed(Exception):
    """A job did not come to what its file says it must."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench imports", description=__doc__.split("\n")[0])
    p.add_argument("--target", choices=[t for t in TARGETS if t != "moto"], default=USERPOOL_SQLITE)
    p.add_argument("--server-cpus", default="0", help="CPUs the server is pinned to")
    p.add_argument("--rows", type=int, default=100_000, help="lines of each algorithm's checked file (0: none)")
    p.add_argument(
        "--algorithms", default=",".join(ALGORITHMS), help=f"a job and file for each ({', '.join(ALGORITHMS)})"
    )
    p.add_argument("--big-rows", type=int, default=1_000_000, help="users of the memory run (0: none)")
    p.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="Markdown page whose 'imports' section is rewritten ('-': print only; default docs/benchmarks.md)",
    )
    return p


@dataclass
class Result:
    label: str
    """The job's PasswordHashingAlgorithm, or ``plain`` for the big file."""
    rows: int
    file_bytes: int
    upload_seconds: float
    import_seconds: float
    status: str
    imported: int
    skipped: int
    failed: int
    cpu_seconds: float
    rss: list[int] = field(default_factory=list)
    load_before: tuple[float, ...] = (0.0, 0.0, 0.0)
    load_after: tuple[float, ...] = (0.0, 0.0, 0.0)
    mix: Mix | None = None

    @property
    def per_second(self) -> float:
        return self.rows / self.import_seconds if self.import_seconds else 0.0


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


def _wait(idp: Any, pool_id: str, job_id: str, rows: int) -> dict[str, Any]:
    limit = max(600.0, rows / SLOWEST_LINES_PER_SECOND)
    deadline = time.monotonic() + limit
    while True:
        time.sleep(0.5)
        job = dict(idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"])
        if job["Status"] in FINISHED:
            return job
        if time.monotonic() > deadline:
            raise ChecksFailed(f"job {job_id} is still {job['Status']} after {limit:.0f} s: {job}")


def import_file(server: Server, idp: Any, folder: Path, rows: int, algorithm: str | None) -> tuple[Result, str, str]:
    """A file of ``rows`` lines (mixed for ``algorithm``, else plain users) imported by a job of its own in a
    pool of its own: the result, the pool's id and the job's."""
    label = algorithm or "plain"
    pool = idp.create_user_pool(PoolName=f"import-{label}-{rows}", AutoVerifiedAttributes=["email"])["UserPool"]
    pool_id = str(pool["Id"])
    columns = list(idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"])
    path = folder / f"users-{label}-{rows}.csv"
    mix = None
    if algorithm is None:
        size = write_file(path, columns, rows)
    else:
        mix = write_mixed_file(path, columns, rows, algorithm)
        size = mix.file_bytes
    extra = {"PasswordHashingAlgorithm": algorithm} if algorithm else {}
    job = idp.create_user_import_job(
        UserPoolId=pool_id, JobName=f"bench-{label}-{rows}", CloudWatchLogsRoleArn=ROLE, **extra
    )["UserImportJob"]
    started = time.monotonic()
    with path.open("rb") as body:
        answer = httpx.put(job["PreSignedUrl"], content=body, headers={"Content-Type": "text/csv"}, timeout=900)
    if answer.status_code != 200:
        raise ChecksFailed(f"the PUT of {path.name} to the pre-signed URL answered {answer.status_code}: {answer.text}")
    upload_seconds = time.monotonic() - started
    path.unlink()
    load_before = os.getloadavg()
    cpu_before = server.cpu_times().total
    with RssSampler(server.worker_pids()[0]) as sampler:
        idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        done = _wait(idp, pool_id, job["JobId"], rows)
    cpu = server.cpu_times().total - cpu_before
    result = Result(
        label,
        rows,
        size,
        upload_seconds,
        float(done["CompletionDate"].timestamp() - done["StartDate"].timestamp()),
        done["Status"],
        int(done["ImportedUsers"]),
        int(done["SkippedUsers"]),
        int(done["FailedUsers"]),
        cpu,
        sampler.samples,
        load_before,
        os.getloadavg(),
        mix,
    )
    return result, pool_id, str(job["JobId"])


def check_mixed(server: Server, idp: Any, log: Path, result: Result, pool_id: str, job_id: str) -> list[str]:
    assert result.mix is not None
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    assert server.database_url is not None
    db = ReadOnlyDatabase(server.database_url)
    try:
        job = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
        problems = check_counts(idp, pool_id, job, result.mix)
        problems += check_reasons(db, log, job_id, result.mix)
        problems += check_sign_ins(idp, db, pool_id, client_id, result.mix)
    finally:
        db.close()
    return problems


def check_plain(result: Result) -> list[str]:
    problems = []
    found = (result.status, result.imported, result.skipped, result.failed)
    if found != ("Succeeded", result.rows, 0, 0):
        problems.append(
            f"the job ended (status, imported, skipped, failed) = {found}, not all {result.rows:,} imported"
        )
    if result.rss and max(result.rss) - result.rss[0] > RSS_GROWTH_BOUND:
        growth = (max(result.rss) - result.rss[0]) / MIB
        problems.append(f"the worker's RSS grew by {growth:.1f} MiB, beyond {RSS_GROWTH_BOUND // MIB} MiB")
    return problems


def measure(args: argparse.Namespace) -> list[Result]:
    """Import each file and check its job; ChecksFailed at the first job whose checks do not all hold."""
    algorithms = _csv(args.algorithms)
    unknown = [a for a in algorithms if a not in ALGORITHMS]
    if unknown:
        raise SystemExit(f"--algorithms: {', '.join(unknown)} (one of {', '.join(ALGORITHMS)})")
    runs: list[tuple[int, str | None]] = [(args.rows, a) for a in algorithms if args.rows]
    runs += [(args.big_rows, None)] if args.big_rows else []
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as name:
        folder = Path(name)
        log = folder / "import-log.jsonl"
        # The server takes these from the environment bench/servers.py starts it with.
        settings = {
            "USERPOOL_USER_IMPORT_MAX_ROWS": str(max(args.rows, args.big_rows, 500_000)),
            "USERPOOL_LOG_DELIVERY__DEFAULT_SINK": f"file://{log}",
        }
        with ExitStack() as stack:
            os.environ.update(settings)
            try:
                server = stack.enter_context(
                    start(args.target, _cpus(args.server_cpus), argon2=Argon2Params.fast(), workers=1)
                )
            finally:
                for key in settings:
                    os.environ.pop(key)
            idp = idp_client(server)
            for rows, algorithm in runs:
                result, pool_id, job_id = import_file(server, idp, folder, rows, algorithm)
                print(
                    f"[imports] {result.label}, {rows:,} lines: {result.status} in {result.import_seconds:.1f} s, "
                    f"imported {result.imported:,}, skipped {result.skipped:,}, failed {result.failed:,}",
                    flush=True,
                )
                if algorithm is None:
                    problems = check_plain(result)
                else:
                    problems = check_mixed(server, idp, log, result, pool_id, job_id)
                if problems:
                    raise ChecksFailed(f"{result.label}, {rows:,} lines:\n" + "\n".join(f"  - {p}" for p in problems))
                print(f"[imports] {result.label}: every check held", flush=True)
                results.append(result)
    return results


def _mib(value: int) -> str:
    return f"{value / MIB:.1f}"


def _checked(mix: Mix) -> str:
    kinds = ", ".join(f"{kind} ×{count}" for kind, count in mix.kinds.items())
    forms = ", ".join(s.form for s in mix.sign_ins)
    return (
        f"- {mix.algorithm}: Succeeded with {mix.imported:,} imported ({mix.hashed:,} with a hash, {mix.plain:,} "
        f"without), {mix.skipped:,} skipped and {mix.failed:,} failed, as written; every bad line ({kinds}) named "
        f"with its outcome and reason in the job's kept results and in the exported import log; users with {forms} "
        "hashes signed in with their old passwords (a wrong one refused), then held argon2id hashes."
    )


def markdown(args: argparse.Namespace, argv: list[str], results: list[Result]) -> str:
    lines = [
        "## User import",
        "",
        f"`{shlex.join(['python', '-m', 'bench', 'imports', *argv])}` — {args.target}, one worker pinned to CPU "
        f"{args.server_cpus}, {time.strftime('%Y-%m-%d')}; {machine()}.",
        "",
        "CSV files PUT to each job's pre-signed URL (httpx, a plain PUT), then imported by the worker's import "
        "thread, 250 lines per transaction; jobs created, started and polled through boto3. A file per "
        "PasswordHashingAlgorithm (a job has one): users without a hash (RESET_REQUIRED), one line in "
        f"{HASHED_EVERY} a user with a hash of that algorithm in each of its forms, one in {BAD_EVERY} a bad line "
        f"({', '.join(BAD_KINDS)}); then a file of plain users only, for the memory run "
        "(USERPOOL_USER_IMPORT_MAX_ROWS raised above Cognito's 500,000 for it). Import time is the job's "
        "CompletionDate less its StartDate; lines/s are the file's lines over it; CPU is the server process's over "
        "the import; RSS is the worker's, read once a second.",
        "",
        "| file | lines | hashed | bad | MiB | upload s | import s | lines/s | CPU s | RSS MiB before / max / end "
        "| load 1 min | status | imported | skipped | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        hashed = f"{r.mix.hashed:,}" if r.mix else "0"
        bad = f"{len(r.mix.outcomes):,}" if r.mix else "0"
        rss = " / ".join(_mib(v) for v in (r.rss[0], max(r.rss), r.rss[-1])) if r.rss else "-"
        lines.append(
            f"| {r.label} | {r.rows:,} | {hashed} | {bad} | {r.file_bytes / MIB:.1f} | {r.upload_seconds:.1f} | "
            f"{r.import_seconds:.1f} | {r.per_second:,.0f} | {r.cpu_seconds:.1f} | {rss} | "
            f"{r.load_before[0]:.2f} → {r.load_after[0]:.2f} | {r.status} | {r.imported:,} | {r.skipped:,} | "
            f"{r.failed:,} |"
        )
    if results:
        lines += ["", load_note(results[0].load_before, results[-1].load_after)]
    mixed = [r.mix for r in results if r.mix is not None]
    if mixed:
        lines += ["", "Checked (the bench fails, and writes nothing, when a check does not hold):", ""]
        lines += [_checked(mix) for mix in mixed]
    for r in results:
        if r.rss and r.mix is None:
            first, top, last = r.rss[0], max(r.rss), r.rss[-1]
            lines += [
                "",
                f"Worker RSS while importing {r.rows:,} users ({len(r.rss)} readings, one a second): "
                f"{_mib(first)} MiB before, at most {_mib(top)} MiB, {_mib(last)} MiB at the end "
                f"({(top - first) / MIB:+.1f} MiB at the most; the bench fails beyond +{RSS_GROWTH_BOUND // MIB} MiB). "
                "The file is read a line at a time and each batch is written and let go, so what the import holds "
                "does not grow with the file.",
            ]
    return "\n".join(lines) + "\n"


def run(argv: list[str]) -> list[Result]:
    args = parser().parse_args(argv)
    try:
        results = measure(args)
    except ChecksFailed as failed:
        raise SystemExit(f"bench imports: checks failed, nothing written:\n{failed}") from None
    text = markdown(args, argv, results)
    print(text)
    if args.output != "-":
        write_section(Path(args.output), "imports", text)
        print(f"written to {args.output} (section 'imports')")
    return results
