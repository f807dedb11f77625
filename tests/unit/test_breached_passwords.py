"""The breached-password corpus: importing a Pwned Passwords list (``userpool breached-passwords import``), its
file, the lookups of the file-backed adapter with the built-in list, and a replaced corpus picked up."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.pwned import pwned_list, sha1_hex, write_corpus
from userpool.breached.common_passwords import common_password_digests
from userpool.breached.corpus import HEADER_SIZE, MAGIC, CorpusError, open_corpus
from userpool.breached.file_backed import FileBackedPasswords
from userpool.breached.importer import MalformedInput, import_corpus
from userpool.breached.port import password_sha1
from userpool.cli import main

LEAKED = ("Summer-2019-leaked!", "correct horse battery staple", "Pässwörd-ünïcode-1")
NOT_LEAKED = ("A-password-nobody-has-used-7q", "Tr0ub4dor&3-but-longer-9z")


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _import(tmp_path: Path, data: bytes, min_count: int = 1, chunk_bytes: int = 1 << 20, name: str = "c.bin"):
    destination = tmp_path / name
    return import_corpus(io.BytesIO(data), destination, min_count=min_count, chunk_bytes=chunk_bytes)


def _adapter(path: Path, ticks: Ticks | None = None) -> FileBackedPasswords:
    return FileBackedPasswords(path, recheck_seconds=5.0, monotonic=ticks or Ticks())


def test_import_corpus__pwned_list_with_counts_and_crlf__listed_passwords_found_others_not(tmp_path: Path) -> None:
    summary = _import(tmp_path, pwned_list(LEAKED, others=3000))

    assert (summary.lines, summary.entries, summary.duplicates, summary.in_order) == (3003, 3003, 0, True)
    passwords = _adapter(summary.path)
    assert all(passwords.contains(p) for p in LEAKED)
    assert not any(passwords.contains(p) for p in NOT_LEAKED)


def test_import_corpus__bare_hashes_with_lf_and_no_final_newline(tmp_path: Path) -> None:
    data = pwned_list(LEAKED, others=500, counts=False, newline="\n").rstrip(b"\n")

    summary = _import(tmp_path, data)

    assert summary.entries == 503
    assert _adapter(summary.path).contains(LEAKED[2])


def test_import_corpus__lower_case_hex_is_read_as_upper_case(tmp_path: Path) -> None:
    summary = _import(tmp_path, pwned_list(LEAKED, others=800).lower())

    assert summary.entries == 803 and summary.in_order
    passwords = _adapter(summary.path)
    assert all(passwords.contains(p) for p in LEAKED)


def test_import_corpus__the_file_has_its_header_and_sorted_distinct_entries(tmp_path: Path) -> None:
    summary = _import(tmp_path, pwned_list(LEAKED, others=1000), min_count=1)

    raw = summary.path.read_bytes()
    assert raw[:8] == MAGIC and len(raw) == HEADER_SIZE + 8 * 1003
    corpus = open_corpus(summary.path)
    assert (corpus.header.entries, corpus.header.min_count) == (1003, 1)
    entries = [int.from_bytes(raw[i : i + 8], "little") for i in range(HEADER_SIZE, len(raw), 8)]
    assert entries == sorted(set(entries))
    corpus.close()


def test_import_corpus__shuffled_input_over_many_chunks_is_sorted(tmp_path: Path) -> None:
    data = pwned_list(LEAKED, others=4000, ordered=False)
    in_order = _import(tmp_path, pwned_list(LEAKED, others=4000), name="sorted.bin")

    summary = _import(tmp_path, data, chunk_bytes=4096, name="shuffled.bin")

    assert not summary.in_order and summary.entries == 4003
    assert summary.path.read_bytes()[HEADER_SIZE:] == in_order.path.read_bytes()[HEADER_SIZE:]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_import_corpus__chunks_out_of_order_but_each_sorted_are_merged(tmp_path: Path) -> None:
    lines = pwned_list(LEAKED, others=3000).splitlines(keepends=True)
    halves = b"".join(lines[1500:]) + b"".join(lines[:1500])

    summary = _import(tmp_path, halves, chunk_bytes=8192)

    assert not summary.in_order and summary.entries == 3003
    assert all(_adapter(summary.path).contains(p) for p in LEAKED)


def test_import_corpus__repeated_hashes_are_kept_once_also_across_chunks(tmp_path: Path) -> None:
    lines = pwned_list(LEAKED, others=2000).splitlines(keepends=True)
    doubled = b"".join(line + line for line in lines)

    summary = _import(tmp_path, doubled, chunk_bytes=4096)

    assert (summary.lines, summary.entries, summary.duplicates, summary.in_order) == (4006, 2003, 2003, True)


def test_import_corpus__min_count_keeps_hashes_seen_often_enough(tmp_path: Path) -> None:
    data = f"{sha1_hex(LEAKED[0])}:2\r\n{sha1_hex(LEAKED[1])}:10\r\n{sha1_hex(LEAKED[2])}:11\r\n".encode()
    data = b"".join(sorted(data.splitlines(keepends=True)))

    summary = _import(tmp_path, data, min_count=10)

    assert (summary.entries, summary.below_min_count) == (2, 1)
    passwords = _adapter(summary.path)
    assert [passwords.contains(p) for p in LEAKED] == [False, True, True]
    assert open_corpus(summary.path).header.min_count == 10


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD\r\n", "39 digits"),
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8A:3\r\n", "41 digits"),
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDG:3\r\n", "not hex"),
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:\r\n", "no count after the colon"),
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:12x\r\n", "a count that is not a number"),
        (b"5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8 12\r\n", "a space instead of a colon"),
        (b"\r\n", "an empty line"),
        (b"hunter2\n", "a password in clear"),
    ],
)
def test_import_corpus__a_malformed_line_is_refused_with_its_number(tmp_path: Path, line: bytes, why: str) -> None:
    good = pwned_list(others=3000).splitlines(keepends=True)
    data = b"".join(good[:2500]) + line + b"".join(good[2500:])

    with pytest.raises(MalformedInput) as refused:
        _import(tmp_path, data, chunk_bytes=8192)

    assert refused.value.line == 2501, why
    assert str(refused.value).startswith("line 2501: expected a SHA-1 as 40 hexadecimal digits")
    assert b"hunter2" not in str(refused.value).encode()
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_import_corpus__a_refused_file_leaves_the_corpus_as_it_was(tmp_path: Path) -> None:
    first = _import(tmp_path, pwned_list(LEAKED, others=100))
    before = first.path.read_bytes()

    with pytest.raises(MalformedInput):
        _import(tmp_path, pwned_list(others=100) + b"not a hash\n")

    assert first.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.bin"]


def test_import_corpus__min_count_needs_counts(tmp_path: Path) -> None:
    data = pwned_list(others=50) + f"{'F' * 40}\r\n".encode()

    with pytest.raises(MalformedInput, match=r"^line 51: no count after the hash, which --min-count needs"):
        _import(tmp_path, data, min_count=2)


def test_import_corpus__nothing_to_write_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no hashes"):
        _import(tmp_path, b"")
    with pytest.raises(ValueError, match="no hash has a count of at least 100000"):
        _import(tmp_path, pwned_list(others=20), min_count=100_000)
    assert list(tmp_path.iterdir()) == []


def test_open_corpus__a_damaged_file_is_refused(tmp_path: Path) -> None:
    path = write_corpus(tmp_path / "c.bin", LEAKED, others=100)
    raw = path.read_bytes()

    path.write_bytes(raw[:-3])
    with pytest.raises(CorpusError, match="truncated or damaged"):
        open_corpus(path)
    path.write_bytes(b"NOTACORP" + raw[8:])
    with pytest.raises(CorpusError, match="not a breached-password corpus"):
        open_corpus(path)
    path.write_bytes(raw[:8] + (2).to_bytes(4, "little") + raw[12:])
    with pytest.raises(CorpusError, match="format 2"):
        open_corpus(path)


def test_contains__built_in_list_with_no_corpus(tmp_path: Path) -> None:
    passwords = _adapter(tmp_path / "absent.bin")

    assert passwords.corpus is None
    assert passwords.contains("password") and passwords.contains("qwerty123") and passwords.contains("iloveyou")
    assert not passwords.contains("123"), "shorter than any pool's minimum length: left out of the list"
    assert not any(passwords.contains(p) for p in NOT_LEAKED + LEAKED)


def test_common_password_digests__a_few_thousand_whole_sha1_digests() -> None:
    digests = common_password_digests()

    assert len(digests) == 4000
    assert password_sha1("password") in digests and password_sha1("P@ssw0rd") in digests
    assert {len(d) for d in digests} == {20}


def test_contains__a_replaced_corpus_is_picked_up_at_the_next_recheck(tmp_path: Path) -> None:
    path = write_corpus(tmp_path / "c.bin", LEAKED[:1], others=200)
    ticks = Ticks()
    passwords = _adapter(path, ticks)
    assert passwords.contains(LEAKED[0]) and not passwords.contains(LEAKED[1])

    write_corpus(path, LEAKED[1:2], others=300)
    ticks.now += 4.0
    assert passwords.contains(LEAKED[0]) and not passwords.contains(LEAKED[1]), "not looked at again yet"
    ticks.now += 1.0
    assert passwords.contains(LEAKED[1]) and not passwords.contains(LEAKED[0])
    assert passwords.corpus is not None and len(passwords.corpus) == 301


def test_contains__a_corpus_imported_after_start_is_picked_up_and_a_removed_one_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    ticks = Ticks()
    passwords = _adapter(path, ticks)
    assert not passwords.contains(LEAKED[0])

    write_corpus(path, LEAKED, others=100)
    ticks.now += 5.0
    assert passwords.contains(LEAKED[0])

    path.unlink()
    ticks.now += 5.0
    assert not passwords.contains(LEAKED[0]) and passwords.contains("password")
    assert passwords.corpus is None


def test_contains__a_damaged_replacement_keeps_the_corpus_mapped_before(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_corpus(tmp_path / "c.bin", LEAKED, others=100)
    ticks = Ticks()
    passwords = _adapter(path, ticks)

    damaged = tmp_path / "damaged"
    damaged.write_bytes(path.read_bytes()[:-8])
    os.replace(damaged, path)
    ticks.now += 5.0

    assert passwords.contains(LEAKED[0])
    assert "truncated or damaged" in caplog.text and "stays in use" in caplog.text
    assert not any(p in caplog.text for p in LEAKED)


def test_breached_passwords_import__cli_writes_the_corpus_into_the_data_dir(tmp_path: Path) -> None:
    source = tmp_path / "pwned.txt"
    source.write_bytes(pwned_list(LEAKED, others=1000))
    data_dir = tmp_path / "data"

    result = CliRunner().invoke(main, ["breached-passwords", "import", str(source), "--data-dir", str(data_dir)])

    assert result.exit_code == 0, result.output
    assert "imported 1,003 hashes into" in result.output and "breached-passwords.bin" in result.output
    assert _adapter(data_dir / "breached-passwords.bin").contains(LEAKED[1])


def test_breached_passwords_import__cli_reads_standard_input_into_the_configured_path(tmp_path: Path) -> None:
    corpus = tmp_path / "elsewhere" / "pwned.bin"
    data = pwned_list(LEAKED, others=100)

    result = CliRunner(env={"USERPOOL_BREACHED_PASSWORDS_PATH": str(corpus)}).invoke(
        main, ["breached-passwords", "import", "-", "--min-count", "1"], input=data
    )

    assert result.exit_code == 0, result.output
    assert _adapter(corpus).contains(LEAKED[0])


def test_breached_passwords_import__cli_refuses_a_malformed_file_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "pwned.txt"
    lines = pwned_list(others=40).splitlines(keepends=True)
    rng = random.Random(3)
    lines.insert(17, b"%040X;%d\r\n" % (rng.getrandbits(160), 3))
    source.write_bytes(b"".join(lines))

    result = CliRunner().invoke(
        main, ["breached-passwords", "import", str(source), "--corpus", str(tmp_path / "c.bin")]
    )

    assert result.exit_code == 1
    assert f"{source}, line 18: expected a SHA-1 as 40 hexadecimal digits" in result.output
    assert "nothing was imported" in result.output
    assert not (tmp_path / "c.bin").exists()
