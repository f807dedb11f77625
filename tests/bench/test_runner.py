"""The load generator end to end: a few GetUser requests against our server on SQLite, run as a separate
process pinned to one CPU, and the report it makes. Only the report's shape is checked, never its figures."""

from __future__ import annotations

import math
import platform
from pathlib import Path

import pytest
from bench.report import libpython_linkage, number
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
    assert f"Python {platform.python_version()} ({libpython_linkage()})" in report
    assert f"One token signature (RS256, RSA-2048) on CPU 0: {number(result.signature_us[0])} µs" in report


def test_libpython_linkage__read_off_the_libraries_the_process_maps(tmp_path: Path) -> None:
    shared = tmp_path / "pyenv"
    shared.write_text(
        "55d1c0a00000-55d1c0a01000 r-xp 00001000 08:01 1183 /root/.pyenv/versions/3.11.7/bin/python3.11\n"
        "7f6ccc200000-7f6ccc4f0000 r-xp 00100000 08:01 1207 /root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0\n"
    )
    linked = tmp_path / "debian"
    linked.write_text(
        "5581a2c00000-5581a3100000 r-xp 00097000 08:01 2210 /usr/bin/python3.11\n"
        "7f0e1a000000-7f0e1a180000 r-xp 00028000 08:01 3301 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    )
    assert libpython_linkage(shared) == "libpython a shared library"
    assert libpython_linkage(linked) == "libpython linked in"
    assert libpython_linkage(tmp_path / "absent") == "libpython linkage unknown"


def test_bench_run__oauth_refresh_refreshes_through_the_token_endpoint(tmp_path: Path) -> None:
    result = run(
        [
            "--targets=userpool-sqlite",
            "--scenarios=oauth_refresh",
            "--requests=12",
            "--seconds=60",
            "--warmup=0.2",
            "--concurrency=2",
            "--argon2=fast",
            f"--output={tmp_path / 'benchmarks.md'}",
        ]
    )

    (row,) = result.rows
    assert (row.case, row.target) == ("oauth_refresh", "userpool-sqlite")
    assert row.measurement is not None, row.note
    assert (row.measurement.requests, row.measurement.errors) == (12, 0), row.measurement.error_sample
