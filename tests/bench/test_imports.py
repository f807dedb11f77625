"""``bench imports``: the files it generates and the section it writes (the scenarios themselves run a real
server for minutes and are run by hand, never by the suite). The report's shape is checked, never figures."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from bench.import_files import ALGORITHMS, BAD_KINDS, FAILED, SKIPPED, USER_EXISTS, write_file, write_mixed_file
from bench.imports import Result, markdown

from userpool.crypto import foreign_hashes
from userpool.model.import_rows import Header, RowProblem, read_header, read_row, split_line
from userpool.model.pool_config import create_config
from userpool.model.records import Pool
from userpool.model.schema import csv_header


def _pool() -> tuple[Pool, list[str]]:
    config = create_config({"PoolName": "p", "AutoVerifiedAttributes": ["email"]})
    return Pool("us-east-1_Bench", "p", config, 0.0, 0.0), csv_header(config["SchemaAttributes"])


def test_write_file__lines_every_one_a_user_the_pool_imports(tmp_path: Path) -> None:
    pool, columns = _pool()
    path = tmp_path / "users.csv"

    size = write_file(path, columns, 1000)

    lines = path.read_text().splitlines()
    assert size == path.stat().st_size and len(lines) == 1001
    header = read_header(pool, split_line(lines[0]))
    rows = [read_row(pool, header, split_line(line), None) for line in lines[1:]]
    assert [r.username for r in rows[:2]] == ["user0000000", "user0000001"]
    assert len({r.username for r in rows}) == 1000


def _reason(pool: Pool, header: Header, text: str, algorithm: str) -> str:
    """Why the server's reading of a line (its values, then its hash) refuses it; empty when it does not."""
    try:
        row = read_row(pool, header, split_line(text), algorithm)
        if row.password_hash is not None:
            foreign_hashes.parse(algorithm, row.password_hash)
    except (RowProblem, foreign_hashes.HashProblem) as problem:
        return str(problem)
    return ""


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_write_mixed_file__each_line_is_what_the_mix_says(tmp_path: Path, algorithm: str) -> None:
    pool, columns = _pool()
    path = tmp_path / "mixed.csv"

    mix = write_mixed_file(path, columns, 2000, algorithm)

    lines = path.read_text().splitlines()
    assert mix.file_bytes == path.stat().st_size and len(lines) == 2001
    header = read_header(pool, split_line(lines[0]))
    assert "cognito:password_hash" in header.columns
    assert (mix.hashed, mix.plain, len(mix.outcomes)) == (40, 1944, 16)
    assert mix.imported + mix.skipped + mix.failed == 2000
    assert mix.kinds == {kind: 2 for kind in BAD_KINDS}
    assert [s.form for s in mix.sign_ins] == [
        {"BCRYPT": "$2b$", "PBKDF2_SHA256": "PHC"}[algorithm],
        {"BCRYPT": "$2a$", "PBKDF2_SHA256": "passlib"}[algorithm],
        {"BCRYPT": "$2y$", "PBKDF2_SHA256": "Django"}[algorithm],
    ]
    hashed = 0
    for number, text in enumerate(lines[1:], start=2):
        reason = _reason(pool, header, text, algorithm)
        outcome = mix.outcomes.get(number)
        if outcome is None:
            assert reason == "", (number, reason)
            hashed += bool(read_row(pool, header, split_line(text), algorithm).password_hash)
        elif outcome == (SKIPPED, USER_EXISTS) or outcome[1] == "Invalid email address format.":
            # Decided against the pool's users and schema, not by the line's reading.
            assert reason == "", (number, reason)
        else:
            assert (FAILED, reason) == outcome, number
    assert hashed == mix.hashed


def test_markdown__the_table_the_checks_and_the_memory_line(tmp_path: Path) -> None:
    _, columns = _pool()
    mix = write_mixed_file(tmp_path / "mixed.csv", columns, 1000, "BCRYPT")
    args = argparse.Namespace(target="userpool-sqlite", server_cpus="0")
    results = [
        Result("BCRYPT", 1000, 70_000, 0.1, 1.0, "Succeeded", 992, 1, 7, 0.5, [100 << 20, 101 << 20, 101 << 20]),
        Result("plain", 1_000_000, 70_000_000, 9.0, 600.0, "Succeeded", 1_000_000, 0, 0, 500.0, [100 << 20, 120 << 20]),
    ]
    results[0].mix = mix
    results[0].load_before = (0.2, 0.1, 0.1)
    results[1].load_after = (1.5, 1.0, 0.5)

    text = markdown(args, ["--rows=1000"], results)

    assert text.startswith("## User import\n")
    assert "| BCRYPT | 1,000 | 20 | 8 | 0.1 | 0.1 | 1.0 | 1,000 | 0.5 | 100.0 / 101.0 / 101.0 | 0.20 → 0.00 |" in text
    assert "| plain | 1,000,000 | 0 | 0 | 66.8 | 9.0 | 600.0 | 1,667 | 500.0 | 100.0 / 120.0 / 120.0 |" in text
    assert "Load average 0.20 before, 1.50 after: the machine was otherwise idle." in text
    assert "- BCRYPT: Succeeded with 992 imported (20 with a hash, 972 without), 1 skipped and 7 failed" in text
    assert "100.0 MiB before, at most 120.0 MiB, 120.0 MiB at the end (+20.0 MiB at the most" in text
