"""The port through which services ask whether a password is a breached one (``ctx.deps.breached_passwords``).

An adapter hashes the password (SHA-1 of its UTF-8 bytes, the form Have I Been Pwned's Pwned Passwords list
uses) in memory only and compares hashes: it never logs, stores or sends the password or its hash anywhere.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


def password_sha1(password: str) -> bytes:
    """The SHA-1 digest of ``password``'s UTF-8 bytes: what the Pwned Passwords list holds, in hex. SHA-1 here
    names an entry of a public list; it protects nothing."""
    return hashlib.sha1(password.encode("utf-8", "surrogatepass"), usedforsecurity=False).digest()


class BreachedPasswords(Protocol):
    """Passwords known from breaches."""

    def contains(self, password: str) -> bool:
        """True when ``password`` is on the built-in list of the most common passwords or in the imported
        corpus (where a password may also be reported by a false positive of the corpus's truncated hashes,
        ``corpus.py``)."""
        ...
