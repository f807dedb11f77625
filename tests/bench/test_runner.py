"""The load generator end to end: a few GetUser requests against our server on SQLite, run as a separate
process pinned to one CPU, and the report it makes. Only the report's shape is checked, never its figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from bench.report import number
from bench.runner import run


@pytest.mark.socket
def test_bench_run__get_user_on_sqlite(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    result = run(
        [
            "--targets=userpool-sqlite",
            "--scenarios=get_user",
            "--requests=20",
            "--seconds=60",
            "--warmup=0.2",
            "--concurrency=2",
            "--argon2=fast",
            f"--output={output}",
        ]
    )

    (row,) = result.rows
    m = row.measurement
    assert (row.case, row.target, row.concurrency) == ("get_user", "userpool-sqlite", 2)
    assert m is not None, row.note
    assert (m.requests, m.errors) == (20, 0), m.error_sample
    assert m.seconds > 0 and m.per_second > 0
    assert 0 < m.percentile(50) <= m.percentile(95) <= m.percentile(99)
    assert m.server_cpu_s >= 0 and m.server_system_s >= 0 and m.client_cpu_s >= 0
    assert m.database_cpu_s is None  # SQLite: no database server to read
    assert not math.isnan(m.server_cpu_ms)
    # The machine's own share of the token rows, measured on the servers' core before and after.
    assert all(10 < us < 100_000 for us in result.signature_us), result.signature_us
    report = output.read_text()
    assert "python -m bench run --targets=userpool-sqlite --scenarios=get_user" in report
    assert "| get_user | userpool-sqlite | 2 | 20 | 0 |" in report
    assert "cores" in report and "## How it is measured" in report
    assert f"One token signature (RS256, RSA-2048) on CPU 0: {number(result.signature_us[0])} µs" in report
