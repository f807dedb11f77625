"""``bench breached``: the generated hash list, the import it times and the lookups it measures, and the section
it writes. The report's shape and the answers are checked, never the figures."""

from __future__ import annotations

from pathlib import Path

from bench.breached import generate, present_password, run

from tests.support.pwned import sha1_hex


def test_generate__pwned_format_holding_the_listed_passwords(tmp_path: Path) -> None:
    sorted_list, shuffled_list = tmp_path / "sorted.txt", tmp_path / "shuffled.txt"

    generate(sorted_list, 3000, 50, "sorted")
    generate(shuffled_list, 3000, 50, "shuffled")

    lines = sorted_list.read_bytes().split(b"\r\n")
    assert lines.pop() == b"" and len(lines) == 3000
    hashes = [line.split(b":")[0].decode() for line in lines]
    assert hashes == sorted(hashes) and all(len(h) == 40 for h in hashes)
    assert {sha1_hex(present_password(n)) for n in range(50)} <= set(hashes)
    shuffled = shuffled_list.read_bytes().split(b"\r\n")[:-1]
    assert shuffled != lines and sorted(shuffled) == lines


def test_bench_breached__imports_both_orders_and_finds_every_listed_password(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"

    result = run(["--hashes=5000", "--lookups=200", f"--dir={tmp_path / 'work'}", f"--output={output}"])

    assert [(i.order, i.lines) for i in result.imports] == [("sorted", 5000), ("shuffled", 5000)]
    assert "imported 5,000 hashes" in result.imports[0].output
    assert "the input being out of order" in result.imports[1].output
    listed, absent = result.lookups
    assert (listed.found, len(listed.latencies_ns)) == (200, 200)
    assert (absent.found, len(absent.latencies_ns)) == (0, 200)
    report = output.read_text()
    assert "<!-- bench breached: begin -->\n## Breached-password corpus" in report
    assert "| sorted | 5,000 |" in report and "| not listed | 200 |" in report
    assert list((tmp_path / "work").iterdir()) == [], "the list and the corpora are removed"
