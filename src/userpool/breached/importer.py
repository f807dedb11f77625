"""``userpool breached-passwords import``: a list of SHA-1 hashes (Have I Been Pwned's Pwned Passwords) into a
corpus file (``corpus.py``), which replaces the previous one atomically.

The input has one SHA-1 per line, 40 hexadecimal digits, optionally followed by ``:`` and how often the password
was seen (the Pwned Passwords download: ``UPPERHEXSHA1:count``), lines ending in LF or CRLF. Anything else is
refused with its line number, and nothing is written.

Fast without numpy: the input is read in chunks of 16 MiB; one pass of a regular expression, in C, checks each
chunk's lines and takes the first 16 hex digits of each; a chunk is checked to be in order by ``map`` and
``operator.lt`` (C again) and turned into numbers by ``binascii`` and ``array``. No Python bytecode runs per
line unless ``--min-count`` is given (each count is then compared). The Pwned Passwords list is sorted by hash,
so its chunks are written as they come. Input out of order is spilled into 256 buckets by its first byte
(each chunk's numbers sorted first, so a bucket's share is found by bisection), and each bucket sorted on its
own at the end: memory stays bounded by a chunk and a bucket.

The new file is written beside the old one under a temporary name, flushed to disk and renamed over it, so a
server sees either the old corpus or the whole new one (``file_backed.py`` notices the new file).
"""

from __future__ import annotations

import binascii
import operator
import os
import re
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from userpool.breached.corpus import HEADER_SIZE, CorpusHeader

CHUNK_BYTES = 16 << 20
# A SHA-1 and an optional count; the first 16 hex digits (64 bits) are all the corpus keeps.
_LINE = re.compile(rb"^([0-9A-F]{16})[0-9A-F]{24}(?::[0-9]{1,19})?\r?\n", re.MULTILINE)
_LINE_AND_COUNT = re.compile(rb"^([0-9A-F]{16})[0-9A-F]{24}(?::([0-9]{1,19}))?\r?\n", re.MULTILINE)
_ONE_LINE = re.compile(rb"[0-9A-Fa-f]{40}(?::[0-9]{1,19})?\r?\n")
_LOWER_HEX = re.compile(rb"[a-f]")
BUCKETS = 256
_BUCKET_SHIFT = 56
_SPILL_BLOCK = 1 << 20  # entries read back at once when switching to buckets


class MalformedInput(ValueError):
    """The input is not a list of SHA-1 hashes; ``line`` is the first line that is wrong (1-based)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import read and wrote."""

    path: Path
    lines: int
    entries: int
    below_min_count: int
    duplicates: int
    # Whether every line's hash came after the previous line's (no sorting was needed).
    in_order: bool
    seconds: float


def _chunks(source: BinaryIO, size: int) -> Iterator[bytes]:
    """The input in pieces of about ``size`` bytes, each ending at the end of a line (a last line without one is
    given one). A line longer than twice that is given as a piece of its own: it is malformed."""
    carry = b""
    while True:
        block = source.read(size)
        if not block:
            break
        data = carry + block if carry else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = b"" if len(data) >= 2 * size else data
            if not carry:
                yield data + b"\n"
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry + b"\n"


def _bad_line(chunk: bytes, first_line: int) -> MalformedInput:
    """The first line of ``chunk`` that is not a SHA-1 with an optional count (called once one is known to be
    there). The line itself is not shown: a file given by mistake may be a list of passwords in clear."""
    expected = "expected a SHA-1 as 40 hexadecimal digits, optionally followed by ':' and a count"
    for number, line in enumerate(chunk.split(b"\n")[:-1], first_line):
        if not _ONE_LINE.fullmatch(line + b"\n"):
            return MalformedInput(number, expected + ("" if line.rstrip(b"\r") else " (an empty line)"))
    return MalformedInput(first_line, expected)


class _Reader:
    """Turns chunks into prefixes (16 upper-case hex digits each), counting as it goes. While the input is in
    order, each chunk's prefixes come out ascending and distinct (the previous chunk's last one left out);
    from the first chunk out of order on, as they are (``in_order`` false)."""

    def __init__(self, min_count: int) -> None:
        self.min_count = min_count
        self.lines = 0
        self.kept = 0
        self.below = 0
        self.in_order = True
        self._last = b""

    def prefixes(self, chunk: bytes) -> list[bytes]:
        first_line = self.lines + 1
        lines = chunk.count(b"\n")
        found = self._match(chunk, lines, first_line)
        if found is None and _LOWER_HEX.search(chunk):
            # Lower-case hex is read as upper-case: the order of the strings is then that of the numbers.
            chunk = chunk.upper()
            found = self._match(chunk, lines, first_line)
        if found is None:
            raise _bad_line(chunk, first_line)
        self.lines += lines
        self.kept += len(found)
        if not found or not self.in_order:
            return found
        if found[0] < self._last or not all(map(operator.le, found, islice(found, 1, None))):
            self.in_order = False
            return found
        if not all(map(operator.lt, found, islice(found, 1, None))):
            found = sorted(set(found))  # in order, but with a hash repeated
        if found[0] == self._last:
            found = found[1:]  # the previous chunk's last hash again: once is enough
        if found:
            self._last = found[-1]
        return found

    def _match(self, chunk: bytes, lines: int, first_line: int) -> list[bytes] | None:
        if self.min_count <= 1:
            found: list[bytes] = _LINE.findall(chunk)
            return found if len(found) == lines else None
        pairs: list[tuple[bytes, bytes]] = _LINE_AND_COUNT.findall(chunk)
        if len(pairs) != lines:
            return None
        if chunk.count(b":") != lines:
            at = next(i for i, (_, count) in enumerate(pairs) if not count)
            raise MalformedInput(first_line + at, "no count after the hash, which --min-count needs")
        kept = [prefix for prefix, count in pairs if int(count) >= self.min_count]
        self.below += len(pairs) - len(kept)
        return kept


def _numbers(prefixes: list[bytes]) -> array[int]:
    """Hex prefixes as the corpus's little-endian uint64 entries (corpus.py)."""
    values = array("Q", binascii.unhexlify(b"".join(prefixes)))
    values.byteswap()  # the big-endian bytes of each prefix, read as the number they spell
    return values


class _Buckets:
    """Entries out of order, spilled by their first byte into files of a private temporary folder."""

    def __init__(self, folder: Path) -> None:
        self._files = [open(folder / f"{b:02x}", "w+b") for b in range(BUCKETS)]

    def add(self, values: array[int]) -> None:
        """Spread ``values`` (ascending; repeats are dropped at the end) over the buckets."""
        start = 0
        for b in range(BUCKETS):
            stop = len(values) if b == BUCKETS - 1 else bisect_left(values, (b + 1) << _BUCKET_SHIFT, start)
            if stop > start:
                values[start:stop].tofile(self._files[b])
            start = stop

    def sorted_runs(self) -> Iterator[array[int]]:
        """Each bucket's entries, sorted and distinct, in bucket order."""
        for f in self._files:
            f.seek(0)
            values = array("Q", f.read())
            yield array("Q", sorted(set(values)))

    def close(self) -> None:
        for f in self._files:
            f.close()


def import_corpus(
    source: BinaryIO, destination: Path, min_count: int = 1, chunk_bytes: int = CHUNK_BYTES
) -> ImportSummary:
    """Read the hash list ``source`` and replace the corpus at ``destination`` with it. Raises MalformedInput
    (nothing written) for a line that is not a hash, ValueError when no hash is left to write. ``chunk_bytes``:
    how much of the input is read at once."""
    started = time.monotonic()
    reader = _Reader(min_count)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    temp = Path(temp_name)
    spill_dir: tempfile.TemporaryDirectory[str] | None = None
    buckets: _Buckets | None = None
    try:
        with os.fdopen(fd, "w+b") as out:
            out.write(bytes(HEADER_SIZE))
            entries = 0
            for chunk in _chunks(source, chunk_bytes):
                prefixes = reader.prefixes(chunk)
                if not prefixes:
                    continue
                values = _numbers(prefixes)
                if reader.in_order:
                    out.write(values)
                    entries += len(values)
                    continue
                if buckets is None:
                    spill_dir = tempfile.TemporaryDirectory(prefix=f".{destination.name}.", dir=destination.parent)
                    buckets = _Buckets(Path(spill_dir.name))
                    _spill_written(out, entries, buckets)
                buckets.add(array("Q", sorted(values)))
            if buckets is not None:
                out.seek(HEADER_SIZE)
                out.truncate()
                entries = 0
                for run in buckets.sorted_runs():
                    out.write(run)
                    entries += len(run)
            if entries == 0:
                raise ValueError(f"no hash has a count of at least {min_count}" if reader.below else "no hashes")
            out.seek(0)
            out.write(CorpusHeader(entries, max(1, min_count), int(time.time())).pack())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, destination)
        _sync_folder(destination.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        if buckets is not None:
            buckets.close()
        if spill_dir is not None:
            spill_dir.cleanup()
    return ImportSummary(
        path=destination,
        lines=reader.lines,
        entries=entries,
        below_min_count=reader.below,
        duplicates=reader.kept - entries,
        in_order=reader.in_order,
        seconds=time.monotonic() - started,
    )


def _spill_written(out: BinaryIO, entries: int, buckets: _Buckets) -> None:
    """Move what was written in order so far into the buckets (it will be rewritten from them)."""
    for start in range(0, entries, _SPILL_BLOCK):
        count = min(_SPILL_BLOCK, entries - start)
        out.seek(HEADER_SIZE + start * 8)
        values = array("Q", out.read(count * 8))
        buckets.add(values)
    out.seek(0, os.SEEK_END)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
