"""``bench imports``: the file it generates and the section it writes (the scenarios themselves run a real
server for minutes and are run by hand, never by the suite). The report's shape is checked, never figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.imports import Result, markdown, write_file

from userpool.model.import_rows import read_header, read_row, split_line
from userpool.model.pool_config import create_config
from userpool.model.records import Pool
from userpool.model.schema import csv_header


def test_write_file__lines_every_one_a_user_the_pool_imports(tmp_path: Path) -> None:
    config = create_config({"PoolName": "p", "AutoVerifiedAttributes": ["email"]})
    pool = Pool("us-east-1_Bench", "p", config, 0.0, 0.0)
    columns = csv_header(config["SchemaAttributes"])
    path = tmp_path / "users.csv"

    size = write_file(path, columns, 1000)

    lines = path.read_text().splitlines()
    assert size == path.stat().st_size and len(lines) == 1001
    header = read_header(pool, split_line(lines[0]))
    rows = [read_row(pool, header, split_line(line), None) for line in lines[1:]]
    assert [r.username for r in rows[:2]] == ["user0000000", "user0000001"]
    assert len({r.username for r in rows}) == 1000


def test_markdown__the_table_and_the_memory_line() -> None:
    args = argparse.Namespace(target="userpool-sqlite", server_cpus="0")
    results = [
        Result(100_000, 7_000_000, 1.0, 60.0, "Succeeded", 100_000, 0, 50.0),
        Result(1_000_000, 70_000_000, 9.0, 600.0, "Succeeded", 1_000_000, 0, 500.0, [100 << 20, 120 << 20, 110 << 20]),
    ]

    text = markdown(args, ["--rows=100000"], results)

    assert text.startswith("## User import\n")
    assert "| 100,000 | 6.7 | 1.0 | 60.0 | 1,667 | 50.0 | Succeeded | 100,000 | 0 |" in text
    assert "100.0 MiB before, at most 120.0 MiB, 110.0 MiB at the end (+20.0 MiB at the most)" in text
