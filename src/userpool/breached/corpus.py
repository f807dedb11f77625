"""The corpus file of breached passwords: what ``userpool breached-passwords import`` writes (``importer.py``)
and every worker of every instance maps read-only.

Layout, every number little-endian:

    offset  size  what
         0     8  magic ``UPBREACH``
         8     4  format version (1)
        12     4  bytes of each SHA-1 kept (8)
        16     8  entries
        24     8  the smallest count an entry had to have (``--min-count``; 1 keeps every hash)
        32     8  when it was written (seconds since the epoch)
        40    24  zero
        64   8*n  the entries: the first 8 bytes of each SHA-1, read as a big-endian number and stored as an
                  unsigned 64-bit little-endian integer, ascending, each once

Stored as numbers rather than raw prefix bytes so that a ``memoryview`` cast to ``Q`` reads them in C and
``bisect`` searches the mapping in C: a lookup is about 24 comparisons in 10 million entries, with no page read
but the few it touches (a little-endian CPU is needed; ``open_corpus`` says so on another).

Keeping 64 of SHA-1's 160 bits makes an absent password look present with probability n / 2**64 for a corpus of
n entries (SHA-1's output being uniform): about 5.4e-13 per lookup for 10 million entries, 4.6e-11 for the
847 million hashes of Pwned Passwords version 8. Two listed hashes sharing a prefix only make one entry.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"UPBREACH"
VERSION = 1
PREFIX_BYTES = 8
HEADER = struct.Struct("<8sIIQQQ24x")
HEADER_SIZE = HEADER.size  # 64: the entries start 8-aligned on a page-aligned mapping


class CorpusError(Exception):
    """A file that is not a corpus this version reads (wrong magic, version or size)."""


@dataclass(frozen=True, slots=True)
class CorpusHeader:
    entries: int
    min_count: int
    written_at: int

    def pack(self) -> bytes:
        return HEADER.pack(MAGIC, VERSION, PREFIX_BYTES, self.entries, self.min_count, self.written_at)


def prefix_number(digest: bytes) -> int:
    """The entry a SHA-1 digest has in a corpus."""
    return int.from_bytes(digest[:PREFIX_BYTES], "big")


class Corpus:
    """One corpus file mapped read-only. Lookups from any number of threads; the mapping lives as long as this
    object is referenced (a file replaced meanwhile keeps its old inode mapped until then)."""

    def __init__(self, path: Path, header: CorpusHeader, mapping: mmap.mmap, identity: tuple[int, ...]) -> None:
        self.path = path
        self.header = header
        # (device, inode, size, mtime_ns) of the file mapped: file_backed.py compares it to see a replacement.
        self.identity = identity
        self._mapping = mapping
        self._entries = memoryview(mapping)[HEADER_SIZE:].cast("Q")

    def __len__(self) -> int:
        return len(self._entries)

    def contains_digest(self, digest: bytes) -> bool:
        """Whether the corpus holds the entry of this SHA-1 digest."""
        key = prefix_number(digest)
        entries = self._entries
        at = bisect_left(entries, key)
        return at < len(entries) and entries[at] == key

    def close(self) -> None:
        """Unmap now, where nothing else can be looking up (the CLI, tests); otherwise dropping the last
        reference unmaps it."""
        self._entries.release()
        self._mapping.close()


def file_identity(st: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is replaced or rewritten."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def open_corpus(path: Path) -> Corpus:
    """Map the corpus at ``path`` read-only; CorpusError when it is not one (OSError when it cannot be read)."""
    if sys.byteorder != "little":
        raise CorpusError("the breached-password corpus is read on little-endian CPUs only")
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_size < HEADER_SIZE:
            raise CorpusError(f"{path} is not a breached-password corpus (too short)")
        mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        magic, version, width, entries, min_count, written_at = HEADER.unpack_from(mapping, 0)
        if magic != MAGIC:
            raise CorpusError(f"{path} is not a breached-password corpus")
        if version != VERSION or width != PREFIX_BYTES:
            raise CorpusError(f"{path} is a corpus of format {version} ({width}-byte hashes); this version reads 1")
        if st.st_size != HEADER_SIZE + entries * PREFIX_BYTES:
            raise CorpusError(f"{path} is truncated or damaged: {entries} entries do not fill {st.st_size} bytes")
        if hasattr(mmap, "MADV_RANDOM"):
            # Lookups touch a few pages anywhere: reading ahead of them would only fill the page cache.
            mapping.madvise(mmap.MADV_RANDOM)
    except BaseException:
        mapping.close()
        raise
    return Corpus(path, CorpusHeader(entries, min_count, written_at), mapping, file_identity(st))
