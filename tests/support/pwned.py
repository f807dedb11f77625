"""Small hash lists in the Pwned Passwords download's format, for the breached-password tests."""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from userpool.breached.importer import import_corpus
from userpool.breached.port import password_sha1


def sha1_hex(password: str) -> str:
    return password_sha1(password).hex().upper()


def pwned_list(
    passwords: Iterable[str] = (),
    others: int = 2000,
    counts: bool = True,
    newline: str = "\r\n",
    seed: int = 7,
    ordered: bool = True,
) -> bytes:
    """``UPPERHEXSHA1:count`` lines (or bare hashes) for ``passwords`` and ``others`` random hashes, sorted by hash
    as the download is unless ``ordered`` is false (then shuffled)."""
    rng = random.Random(seed)
    hashes = {sha1_hex(p) for p in passwords} | {f"{rng.getrandbits(160):040X}" for _ in range(others)}
    lines = sorted(hashes)
    if not ordered:
        rng.shuffle(lines)
    return "".join(f"{h}:{rng.randint(1, 5000)}{newline}" if counts else f"{h}{newline}" for h in lines).encode()


def write_corpus(path: Path, passwords: Iterable[str], others: int = 2000) -> Path:
    """A corpus at ``path`` holding ``passwords`` (and ``others`` random hashes), written as the CLI writes it."""
    source = path.with_suffix(".txt")
    source.write_bytes(pwned_list(passwords, others))
    with source.open("rb") as f:
        import_corpus(f, path)
    return path
