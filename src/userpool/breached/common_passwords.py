"""The built-in list of the most common breached passwords (``common_passwords.sha1``, shipped with the package;
its header says where it comes from), checked with or without an imported corpus. Whole SHA-1 digests are
compared here, so the list has no false positives."""

from __future__ import annotations

import binascii
import functools
from importlib.resources import files

RESOURCE = "common_passwords.sha1"


@functools.cache
def common_password_digests() -> frozenset[bytes]:
    """The SHA-1 digests of the built-in list (lines of 40 hex digits; ``#`` starts a comment), read once per
    process: the list is part of the package and never changes while it runs."""
    text = files(__package__ or "userpool.breached").joinpath(RESOURCE).read_text("ascii")
    return frozenset(
        binascii.unhexlify(line) for line in (raw.strip() for raw in text.splitlines()) if line and line[0] != "#"
    )
